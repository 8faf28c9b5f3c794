/**
 * What the server and its launcher process (launcher-main.ts) say to each other over the
 * IPC channel, in batches: one message carries every order or report of an event-loop turn.
 */
import type { IsolationMode, RunLimits } from './cgroups.js';
import type { HostTools } from './host-tools.js';
import type { LogCap } from './log-cap.js';

/** Sent once, as the launcher's first message. */
export interface LauncherSettings {
  type: 'settings';
  dataDir: string;
  tools: HostTools;
  logCap: LogCap;
  /** Each run in cgroups of its own (cgroups.ts): the server's parent cgroup's name and the kind found; null: no isolation. */
  cgroups: { name: string; mode: Exclude<IsolationMode, 'none'> } | null;
}

export interface LaunchOrder {
  runId: string;
  /** The job's working directory inside the run dir ("." for the run dir itself). */
  jobDir: string;
  /** Give `jobDir` to this user before the start (a job that runs as another user). */
  workDirOwner: { uid: number; gid: number } | null;
  /** The job's program and arguments (setpriv's first for another user). */
  argv: string[];
  /** What the run's environment adds to the launcher's own (run-environment.ts). */
  env: Record<string, string>;
  /**
   * A job that runs as another user: its environment as shell assignments, which its shell
   * reads once it is that user (run-as.ts); the wrapper and setpriv, root, never see it.
   */
  jobEnv: string | null;
  /** The run's cgroup limits, with isolation on. */
  limits: RunLimits | null;
  /**
   * A container run: its name, kept in the run dir for whoever kills it later; how it
   * joins the run's cgroups: through an OCI hook written into the run dir (podman), since
   * the wrapper only starts the runtime's client; and its environment file's text.
   */
  container: { name: string; joinByHook: boolean; envFile: string } | null;
}

export type LauncherOrders = { type: 'launch'; orders: LaunchOrder[] };

export type LauncherReport =
  /** The wrapper is running: pid and /proc start time (null without /proc). */
  | { type: 'started'; runId: string; pid: number; startTime: string | null }
  /** It could not be started; the reason is for the job's owner. */
  | { type: 'failed'; runId: string; reason: string }
  /** The wrapper exited, as its parent saw it. */
  | { type: 'exited'; runId: string; code: number | null; signal: NodeJS.Signals | null };

export type LauncherReports = { type: 'reports'; reports: LauncherReport[] };
