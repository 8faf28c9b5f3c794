/**
 * A backend runs what the scheduler decided to launch. It answers only by posting
 * messages (run-started, run-exited, run-lost, run-unreachable, run-not-started,
 * launch-failed, agents, framework-id) to the loop's queue; it never reads or changes
 * scheduler state itself.
 */
import type { AgentInfo, JobSpec, Message, Millis, Resources, Run } from '../core/types.js';

export type Post = (message: Message) => void;

export type LogStream = 'stdout' | 'stderr';

export interface LogChunk {
  /** The bytes read, decoded as UTF-8 (a multi-byte character cut at the end is held back). */
  data: string;
  /** Byte offset the chunk starts at. */
  offset: number;
  /** Byte offset to ask for next. */
  nextOffset: number;
  /** Size of the log in bytes when it was read. */
  size: number;
}

/** An agent as the backend sees it; `used` is null where the scheduler accounts for it (local) or not known yet (Mesos). */
export interface AgentReport extends AgentInfo {
  used: Resources | null;
}

export interface Backend {
  readonly kind: 'local' | 'mesos';
  /** The agents this backend can place runs on (local: this host). */
  agents(): AgentReport[];
  launch(run: Run, spec: JobSpec): void;
  /** TERM the run's process group, KILL it after the grace period. */
  kill(run: Run, gracePeriodMs: Millis, reason: string): void;
  /** A task whose run has ended says it runs (Mesos: after a partition or master restart): kill it. */
  killStray?(runId: string, taskId: string | null, agent: string | null, reason: string): void;
  /** After a restart: find out what became of a run that was launching or running. */
  reattach(run: Run, spec: JobSpec | null): void;
  readLogs(run: Run, stream: LogStream, offset: number, limit: number): Promise<LogChunk | null>;
  /** A log line the backend itself wrote beside the run's output (the Mesos executor's): left out of notices. */
  isOwnLogLine?(line: string): boolean;
  /** Forget runs whose history was pruned (their working dirs and logs). */
  forget(runIds: string[]): Promise<void>;
  /** Agents excluded from placement, launches already waiting for offers included (Mesos only). */
  setBlacklist?(agents: string[]): void;
  /** Mesos TEARDOWN: the master kills every task and forgets the framework. Only on explicit request. */
  teardown?(): void;
  /** Stop watching; running processes are left running (a restart re-attaches them). */
  close(): Promise<void>;
}
