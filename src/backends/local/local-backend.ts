/**
 * The local backend: this host is the only agent and runs every job as a local process
 * under a crash-safe /bin/sh wrapper (see wrapper-script.ts), one working dir per run
 * under `<dataDir>/runs/<runId>/` (see run-dir.ts).
 *
 * It only carries out what the loop decided and reports back through `post`:
 * - launch: `run-started` once the wrapper is spawned (pid known), `launch-failed` for a
 *   job without command/args, a container job with no runtime, or a spawn error (E2BIG
 *   included: a command line too long to start); later `run-exited`.
 * - a job with `container.image` runs through podman or docker (container-command.ts): the
 *   wrapper starts the runtime's client, attached, which is the "job" for all that follows
 *   (logs, exit status, re-attach); a kill also removes the container by its name.
 * - each of a run's logs (stdout, stderr) is capped at `maxLogBytes`: the log copier keeps
 *   the first bytes, discards the rest and ends the log with a marker line; the job is not
 *   affected (see wrapper-script.ts, run-log-copy.ts).
 * - while the server lives it is the wrapper's parent and uses the child's exit event;
 *   after a restart `reattach` adopts surviving wrappers (pid + /proc start time) and
 *   polls them, then reads the `exit` file.
 * - a program that cannot be found or executed is NOT a launch failure: the wrapper
 *   started, sh reports it as exit code 127 (not found) or 126 (not executable), and the
 *   backend posts `run-exited` with that code (the message is in the run's stderr).
 * - a job runs as its `user`, else the default user, when the server is root; a user it
 *   cannot run as is launch-failed (see run-as.ts for who writes what in the run dir).
 * - exit status 128+N (sh's way of saying "killed by signal N") is reported as that
 *   signal (exitCode null), both live and from an exit file. A wrapper killed after it
 *   recorded the job's status (waiting for the job's output to drain) reports that status.
 *
 * Messages are posted asynchronously (queued as microtasks, in order), never from inside
 * the call that caused them.
 */
import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Isolation, JobSpec, Message, Millis, Resources, Run } from '../../core/types.js';
import type { AgentReport, Backend, LogChunk, LogStream, Post } from '../types.js';
import { exitOutcome } from './exit-status.js';
import type { ExitOutcome } from './exit-status.js';
import { defaultResources, hostAttributes } from './host-agent.js';
import { cgroupName, RunCgroups } from './cgroups.js';
import type { ContainerRuntimeChoice } from './container-runtime.js';
import { findHostTools } from './host-tools.js';
import type { HostTools } from './host-tools.js';
import { logCap } from './log-cap.js';
import type { LogCap } from './log-cap.js';
import { readLogChunk } from './log-reader.js';
import { Launcher } from './launcher.js';
import { JobCommands } from './job-commands.js';
import type { LauncherReport } from './launcher-protocol.js';
import { groupExists, isAlive, signalGroup } from './process-probe.js';
import { RunDirs, fileExists, isSafeRunId, readContainerFile, readExitFile, readPidFile, writeFileAtomic } from './run-dir.js';
import type { PidInfo } from './run-dir.js';
import { openRunAs, type RunAs } from './run-as.js';

export interface LocalBackendOptions {
  dataDir: string;
  post: Post;
  now: () => Millis;
  /** Agent id in run-started messages; default os.hostname(). */
  agentId?: string;
  /**
   * Capacity this host offers. Defaults: cpus = os.availableParallelism(), mem = total
   * memory in MiB, disk = free space in MiB on the data dir's file system at start-up
   * (0 if it cannot be read), gpus = 0.
   */
  resources?: Partial<Resources>;
  /** This host's attributes for placement constraints; `hostname` (os.hostname()) is added unless given. */
  attributes?: Record<string, string>;
  /**
   * Cap on each of a run's two logs, in bytes; the rest of the stream is discarded and a
   * marker line ends the log. Default 64 MiB; 0 = unlimited. The constructor throws if the
   * value is bad.
   */
  maxLogBytes?: number;
  /**
   * The user jobs that name none run as, when the server is root (default: root). The
   * constructor throws if the server cannot run jobs as this user.
   */
  runAs?: string;
  /** Said once at start: jobs run as root, or the data dir is open to the users jobs run as. */
  warn?: (message: string) => void;
  /**
   * `cgroups`: each run in cgroups of its own, with its memory, CPU and task limits (the
   * constructor throws if the host has none the server can write); `none`: resources are
   * only counted. Default: cgroups where the host has them, else none with a warning.
   */
  isolation?: 'cgroups' | 'none';
  /** The most tasks (processes and threads) a run may have at once, unless its job says (`resources.pids`); default 4096. */
  pidsLimit?: number;
  /**
   * What runs jobs' `container.image`: podman, docker, or `auto` (the default): the first of
   * them that answers, else none, and container jobs are refused. The constructor throws
   * if the one named does not answer.
   */
  containerRuntime?: ContainerRuntimeChoice;
  /** How often adopted (re-attached) processes are checked; default 1000 ms. */
  pollIntervalMs?: number;
  /** How long reattach waits for a wrapper that has a run dir but no pid file yet; default 1000 ms. */
  startupWaitMs?: number;
}

interface Tracked {
  runId: string;
  /** null while the launcher has not yet reported the start. */
  pid: number | null;
  startTime: string | null;
  /** Started by our launcher, which reports the exit; else adopted, and polled. */
  launched: boolean;
  poller: NodeJS.Timeout | null;
  /** A kill that came before the launcher reported the start: its grace period. */
  killWhenStarted: Millis | null;
  /** A container run's container name. */
  container: string | null;
  /** The run dir holds its environment in a file (a job with a user, or an image): removed at the end. */
  envFile: boolean;
  done: boolean;
}

const DEFAULT_PIDS_LIMIT = 4096;
/** How often run cgroups left holding a process are looked at again. */
const CGROUP_SWEEP_MS = 60_000;

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class LocalBackend implements Backend {
  readonly kind = 'local' as const;

  private readonly dirs: RunDirs;
  private readonly post: Post;
  private readonly now: () => Millis;
  private readonly agentId: string;
  private readonly resources: Resources;
  private readonly attributes: Record<string, string>;
  private readonly logCap: LogCap;
  private readonly pollIntervalMs: number;
  private readonly startupWaitMs: number;
  private readonly tools: HostTools;
  private readonly runAs: RunAs;
  private readonly tracked = new Map<string, Tracked>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly launcher: Launcher;
  private readonly isolation: Isolation;
  private readonly commands: JobCommands;
  private readonly cgroups: RunCgroups | null;
  private readonly pidsLimit: number;
  /** Run cgroups still holding processes when their run ended (a child left behind): removed once empty. */
  private readonly cgroupsToRemove = new Set<string>();
  /**
   * Those of container runs: whatever is left in them after the run is runtime debris, killed.
   * A kill while podman was making the container can leave runc's init waiting for a start
   * that never comes, put into the run's cgroup by the hook after the kill swept it.
   */
  private readonly containerDebris = new Set<string>();
  private closed = false;

  constructor(private readonly options: LocalBackendOptions) {
    this.logCap = logCap(options.maxLogBytes);
    this.tools = findHostTools();
    this.dirs = new RunDirs(options.dataDir);
    this.dirs.init();
    this.post = options.post;
    this.now = options.now;
    this.agentId = options.agentId ?? hostname();
    this.resources = { ...defaultResources(options.dataDir), ...options.resources };
    this.pollIntervalMs = Math.max(10, options.pollIntervalMs ?? 1000);
    this.startupWaitMs = Math.max(0, options.startupWaitMs ?? 1000);
    this.attributes = hostAttributes(options.attributes);
    this.runAs = openRunAs(options.runAs, options.dataDir, options.warn ?? (() => {}));
    this.pidsLimit = options.pidsLimit ?? DEFAULT_PIDS_LIMIT;
    if (!Number.isSafeInteger(this.pidsLimit) || this.pidsLimit < 1) throw new RangeError(`the pids limit must be a whole number of at least 1; got ${String(options.pidsLimit)}`);
    const cgroups = options.isolation === 'none' ? null : new RunCgroups(cgroupName(options.dataDir));
    if (cgroups === null) {
      this.cgroups = null;
      this.isolation = { mode: 'none', why: 'isolation turned off (--isolation none)' };
    } else if (cgroups.mode === 'none') {
      if (options.isolation === 'cgroups') throw new Error(`cannot isolate runs in cgroups: ${cgroups.why}`);
      this.cgroups = null;
      this.isolation = { mode: 'none', why: cgroups.why };
      options.warn?.(`runs are not isolated, their resources only counted: ${cgroups.why}`);
    } else {
      this.cgroups = cgroups;
      this.isolation = { mode: cgroups.mode, why: null };
      this.setInterval(() => this.removeLeftCgroups(), CGROUP_SWEEP_MS);
    }
    this.commands = new JobCommands({ dataDir: options.dataDir, dirs: this.dirs, runtime: options.containerRuntime ?? 'auto', isolated: this.cgroups !== null, pidsLimit: this.pidsLimit, warn: options.warn });
    this.isolation.containers = this.commands.containers;
    this.launcher = new Launcher(
      {
        dataDir: options.dataDir,
        tools: this.tools,
        logCap: this.logCap,
        cgroups: this.cgroups === null || this.cgroups.mode === 'none' ? null : { name: cgroupName(options.dataDir), mode: this.cgroups.mode },
      },
      { report: (report) => this.launcherReported(report), restarted: (why) => this.launcherRestarted(why) },
    );
  }

  /** The pid of the launcher process, the parent of every wrapper this server starts. */
  get launcherPid(): number | undefined {
    return this.launcher.pid;
  }

  agents(): AgentReport[] {
    return [{ id: this.agentId, resources: { ...this.resources }, attributes: { ...this.attributes }, users: this.runAs.hostUsers, isolation: { ...this.isolation }, used: null }];
  }

  // -------------------------------------------------------------------------------------
  // launch

  launch(run: Run, spec: JobSpec): void {
    if (this.closed) return;
    if (!isSafeRunId(run.id)) {
      this.launchFailed(run, `run id ${JSON.stringify(run.id)} cannot be used as a directory name`);
      return;
    }
    const existing = this.tracked.get(run.id);
    if (existing !== undefined && !existing.done) {
      this.launchFailed(run, 'the run is already running on this agent');
      return;
    }
    const who = this.runAs.identityFor(spec.user);
    if (!who.ok) {
      this.launchFailed(run, who.reason);
      return;
    }
    const identity = who.identity;
    const command = this.commands.of(run, spec, identity);
    if (!command.ok) {
      this.launchFailed(run, command.reason);
      return;
    }
    const envFile = command.jobEnv !== null || command.container !== null;
    this.tracked.set(run.id, { runId: run.id, pid: null, startTime: null, launched: true, poller: null, killWhenStarted: null, container: command.container?.name ?? null, envFile, done: false });
    const { ok: _ok, ...order } = command;
    this.launcher.launch({ runId: run.id, ...order });
  }

  private launcherReported(report: LauncherReport): void {
    const tracked = this.tracked.get(report.runId);
    if (tracked === undefined || tracked.done || !tracked.launched) return;
    switch (report.type) {
      case 'started':
        tracked.pid = report.pid;
        tracked.startTime = report.startTime;
        this.emit({ type: 'run-started', now: this.now(), runId: report.runId, agent: this.agentId, taskId: null });
        if (tracked.killWhenStarted !== null) this.signal(tracked, tracked.killWhenStarted);
        return;
      case 'failed':
        this.stopWatching(tracked);
        this.emit({ type: 'launch-failed', now: this.now(), runId: report.runId, reason: report.reason });
        return;
      case 'exited':
        this.finished(tracked, exitOutcome(report.code, report.signal));
        return;
    }
  }

  /**
   * The launcher died: what it started runs on, detached, but nobody reports on it now. Each
   * run it had is looked up in its run dir as after a restart: adopted if alive, its recorded
   * status if it ended, started again if it never began.
   */
  private launcherRestarted(why: string): void {
    const orphans = [...this.tracked.values()].filter((t) => t.launched && !t.done);
    this.options.warn?.(`${why}; started again; re-attaching ${orphans.length} run(s) from their run dirs`);
    for (const tracked of orphans) {
      this.stopWatching(tracked);
      void this.recover(tracked.runId).catch((e) => {
        this.emit({ type: 'run-lost', now: this.now(), runId: tracked.runId, reason: `cannot inspect the run dir: ${errorMessage(e)}` });
      });
    }
  }

  private launchFailed(run: Run, reason: string): void {
    this.emit({ type: 'launch-failed', now: this.now(), runId: run.id, reason });
  }

  // -------------------------------------------------------------------------------------
  // kill

  kill(run: Run, gracePeriodMs: Millis, _reason: string): void {
    if (this.closed) return;
    let tracked = this.tracked.get(run.id);
    if (tracked === undefined) {
      // Not watched by this instance (e.g. a kill before reattach): adopt it if it is ours.
      const info = this.livePidInfo(run.id);
      if (info === null) return; // nothing running: already finished, a no-op
      tracked = this.adopt(run.id, info);
    }
    if (tracked.done) return;
    if (tracked.pid === null) {
      // Ordered, not yet started: the kill follows the start.
      tracked.killWhenStarted = gracePeriodMs;
      return;
    }
    this.signal(tracked, gracePeriodMs);
  }

  /** TERM to the run's process group, then KILL after the grace period if it is still there. */
  private signal(target: Tracked, gracePeriodMs: Millis): void {
    const pid = target.pid;
    if (pid === null || !isAlive(pid, target.startTime)) return;
    try {
      signalGroup(pid, 'SIGTERM');
    } catch {
      return; // EPERM: not ours to kill
    }
    // And whatever left the process group (setsid, a daemon): its cgroup still holds it.
    this.cgroups?.signalAll(target.runId, 'SIGTERM');
    const hardKill = (): void => {
      this.killCgroup(target.runId);
      this.killGroup(target, pid);
      // After its client: one still creating the container would make it after the removal.
      if (target.container !== null) this.commands.removeContainer(target.container);
    };
    if (gracePeriodMs <= 0) {
      hardKill();
      return;
    }
    // While the group exists its leader's pid cannot be reused, so killing by pgid after
    // the grace period is safe even if the wrapper itself already exited (stragglers die).
    this.setTimer(hardKill, gracePeriodMs);
  }

  private killGroup(target: Tracked, pid: number): void {
    if (!groupExists(pid)) return;
    if (!target.done && this.dirs.exists(target.runId)) {
      try {
        writeFileAtomic(this.dirs.paths(target.runId).killed, 'SIGKILL\n');
      } catch {
        // best effort: only matters if the server dies before seeing the exit
      }
    }
    try {
      signalGroup(pid, 'SIGKILL');
    } catch {
      // EPERM: nothing more we can do
    }
  }

  // -------------------------------------------------------------------------------------
  // reattach

  reattach(run: Run, _spec: JobSpec | null): void {
    if (this.closed) return;
    const current = this.tracked.get(run.id);
    if (current !== undefined && !current.done) {
      // Ordered from the launcher and not started yet: its report will say.
      if (current.pid !== null) this.emit({ type: 'run-started', now: this.now(), runId: run.id, agent: this.agentId, taskId: null });
      return;
    }
    void this.recover(run.id).catch((e) => {
      this.emit({ type: 'run-lost', now: this.now(), runId: run.id, reason: `cannot inspect the run dir: ${errorMessage(e)}` });
    });
  }

  /** Find out from a run's dir what became of it: adopt it if it lives, else report how it ended (or that it never began). */
  private async recover(runId: string): Promise<void> {
    if (!this.dirs.exists(runId)) {
      this.emit({ type: 'run-not-started', now: this.now(), runId });
      return;
    }
    const paths = this.dirs.paths(runId);
    let info = readPidFile(paths.pid);
    // The wrapper writes its pid before anything else; give one that is just starting a moment.
    const waitUntil = Date.now() + this.startupWaitMs;
    while (info === null && Date.now() < waitUntil && !this.closed) {
      await sleep(Math.min(50, this.startupWaitMs));
      info = readPidFile(paths.pid);
    }
    if (this.closed) return;
    if (info === null) {
      this.emit({ type: 'run-not-started', now: this.now(), runId: runId });
      return;
    }
    if (isAlive(info.pid, info.startTime)) {
      this.adopt(runId, info);
      this.emit({ type: 'run-started', now: this.now(), runId: runId, agent: this.agentId, taskId: null });
      return;
    }
    this.reportFromDir(runId, 'process vanished while the scheduler was down');
  }

  /** The wrapper recorded in the run dir, if it is alive and really ours. */
  private livePidInfo(runId: string): PidInfo | null {
    if (!this.dirs.exists(runId)) return null;
    const info = readPidFile(this.dirs.paths(runId).pid);
    return info !== null && isAlive(info.pid, info.startTime) ? info : null;
  }

  /** Watch a process we are not the parent of, by polling, until it exits. */
  private adopt(runId: string, info: PidInfo): Tracked {
    const container = readContainerFile(this.dirs.paths(runId).container);
    const tracked: Tracked = { runId, pid: info.pid, startTime: info.startTime, launched: false, poller: null, killWhenStarted: null, container, envFile: true, done: false };
    this.tracked.set(runId, tracked);
    tracked.poller = setInterval(() => {
      if (tracked.done || isAlive(info.pid, tracked.startTime)) return;
      this.stopWatching(tracked);
      this.reportFromDir(runId, 'process exited without recording an exit status');
    }, this.pollIntervalMs);
    return tracked;
  }

  /** A process that is gone: what does its run dir say? */
  private reportFromDir(runId: string, lostReason: string): void {
    const paths = this.dirs.paths(runId);
    const status = readExitFile(paths.exit);
    const container = readContainerFile(paths.container);
    if (status !== null) {
      this.emitExit(runId, exitOutcome(status, null), container, true);
    } else if (fileExists(paths.killed)) {
      this.emitExit(runId, { exitCode: null, signal: 'SIGKILL' }, container, true);
    } else {
      this.emit({ type: 'run-lost', now: this.now(), runId, reason: lostReason });
    }
  }

  // -------------------------------------------------------------------------------------
  // exits

  private finished(tracked: Tracked, outcome: ExitOutcome): void {
    if (tracked.done) return;
    this.stopWatching(tracked);
    this.emitExit(tracked.runId, outcome.signal !== null ? this.recordedOutcome(tracked.runId) ?? outcome : outcome, tracked.container, tracked.envFile);
  }

  /**
   * The job's status from the exit file. A wrapper killed by a signal may have recorded it
   * first (the KILL came while it waited for the job's output to drain): the job's own
   * status is the truth, and it is what a restarted server reads too.
   */
  private recordedOutcome(runId: string): ExitOutcome | null {
    if (!this.dirs.exists(runId)) return null;
    const status = readExitFile(this.dirs.paths(runId).exit);
    return status === null ? null : exitOutcome(status, null);
  }

  private stopWatching(tracked: Tracked): void {
    tracked.done = true;
    if (tracked.poller !== null) clearInterval(tracked.poller);
    tracked.poller = null;
    if (this.tracked.get(tracked.runId) === tracked) this.tracked.delete(tracked.runId);
  }

  /**
   * The run's end, with what its cgroup says it used and whether its memory limit killed in
   * it; then the cgroup goes, and a container run's container if its client left it behind
   * (killed while it made the container: `--rm` is the client's, or its conmon's, to do),
   * and the file that held its environment (`envFile`: there may be one).
   */
  private emitExit(runId: string, outcome: ExitOutcome, container: string | null, envFile: boolean): void {
    const usage = this.cgroups?.usage(runId) ?? null;
    const limit = usage?.memoryLimitHit ? this.cgroups!.memoryLimitMiB(runId) : null;
    this.emit({
      type: 'run-exited',
      now: this.now(),
      runId,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      ...(usage !== null ? { usage: { cpuSeconds: usage.cpuSeconds, peakMemoryBytes: usage.peakMemoryBytes } } : {}),
      ...(limit !== null ? { memoryLimitMiB: limit } : {}),
    });
    if (this.cgroups !== null && container !== null) this.clearContainerCgroup(runId);
    else if (this.cgroups !== null && !this.cgroups.remove(runId)) this.cgroupsToRemove.add(runId);
    if (container !== null) this.commands.removeContainer(container);
    if (envFile && this.dirs.exists(runId)) {
      const paths = this.dirs.paths(runId);
      for (const path of [paths.jobEnv, paths.containerEnv]) rmSync(path, { force: true });
    }
  }

  /** A container run's cgroup after its end: emptied by KILL now, after 1 s and after 5 s (and by the sweep), then removed. */
  private clearContainerCgroup(runId: string): void {
    const cgroups = this.cgroups!;
    const clear = (): void => {
      cgroups.signalAll(runId, 'SIGKILL');
      if (cgroups.remove(runId)) {
        this.containerDebris.delete(runId);
        this.cgroupsToRemove.delete(runId);
      }
    };
    this.containerDebris.add(runId);
    this.cgroupsToRemove.add(runId);
    clear();
    for (const ms of [1_000, 5_000]) this.setTimer(() => this.containerDebris.has(runId) && clear(), ms);
  }

  /** KILL everything in the run's cgroup, again a moment later for what was being forked meanwhile. */
  private killCgroup(runId: string): void {
    if (this.cgroups === null) return;
    this.cgroups.signalAll(runId, 'SIGKILL');
    this.setTimer(() => this.cgroups!.signalAll(runId, 'SIGKILL'), 100);
  }

  /** Cgroups of runs that ended with a child left in them, once it is gone; and any left by an earlier server for runs nobody watches. */
  private removeLeftCgroups(): void {
    const cgroups = this.cgroups!;
    for (const runId of this.cgroupsToRemove) {
      if (this.containerDebris.has(runId)) cgroups.signalAll(runId, 'SIGKILL');
      if (cgroups.remove(runId)) {
        this.cgroupsToRemove.delete(runId);
        this.containerDebris.delete(runId);
      }
    }
    // Not one just made for a run about to start (its wrapper joins at once): another server on this data dir (an HA pair) may have made it.
    const now = Date.now();
    for (const runId of cgroups.runIds()) {
      if (this.tracked.has(runId) || cgroups.members(runId).length > 0) continue;
      if ((cgroups.ageMs(runId, now) ?? 0) > CGROUP_SWEEP_MS) cgroups.remove(runId);
    }
  }

  // -------------------------------------------------------------------------------------
  // logs, pruning, shutdown

  async readLogs(run: Run, stream: LogStream, offset: number, limit: number): Promise<LogChunk | null> {
    if (!this.dirs.exists(run.id)) return null;
    const paths = this.dirs.paths(run.id);
    return readLogChunk(stream === 'stdout' ? paths.stdout : paths.stderr, offset, limit);
  }

  async forget(runIds: string[]): Promise<void> {
    for (const runId of runIds) {
      const tracked = this.tracked.get(runId);
      if (tracked !== undefined && !tracked.done) continue; // still running: not ours to delete
      await this.dirs.remove(runId);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer); // clears intervals too
    this.timers.clear();
    for (const tracked of this.tracked.values()) {
      tracked.done = true;
      if (tracked.poller !== null) clearInterval(tracked.poller);
      tracked.poller = null;
    }
    this.tracked.clear();
    // Running processes are left running; the next server adopts them.
    await this.launcher.close();
    this.cgroups?.close();
  }

  private setInterval(fn: () => void, ms: number): void {
    const timer = setInterval(fn, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private setTimer(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private emit(message: Message): void {
    if (this.closed) return;
    queueMicrotask(() => this.post(message));
  }
}
