/**
 * Running the local backend against real processes in tests: runs and job specs to launch,
 * polling helpers, and a `Harness` that gives each test its own data dir and message log
 * and kills whatever the test left running.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { JobSpec, Message, Run } from '../../src/core/types.js';
import { LocalBackend } from '../../src/backends/local/index.js';
import type { LocalBackendOptions } from '../../src/backends/local/index.js';
import { groupExists, isAlive, signalGroup } from '../../src/backends/local/process-probe.js';
import { readPidFile } from '../../src/backends/local/run-dir.js';
import { logCopiers } from './log-copiers.js';

export { logCopiers };
import { run as storeRun } from './store-contract.js';

export interface JobFixtures {
  /** A manually triggered run of the job, about to launch. */
  makeRun(id: string, over?: Partial<Run>): Run;
  /** The job's spec with every field at a plain default. */
  makeSpec(over: Partial<JobSpec>): JobSpec;
}

/** Run and spec makers for job `job`; `run` sets the runs' other defaults (times, attempt). */
export function jobFixtures(job: string, run: Partial<Run> = {}): JobFixtures {
  return {
    makeRun: (id, over = {}) =>
      storeRun(job, { id, key: `m:${id}`, trigger: 'manual', scheduledAt: 0, claimedAt: 0, status: 'launching', ...run, ...over }),
    makeSpec: (over) => ({
      name: job,
      timezone: 'UTC',
      env: {},
      resources: { cpus: 0.1, mem: 128, disk: 0, gpus: 0 },
      constraints: [],
      placement: 'one',
      after: [],
      concurrency: 'forbid',
      misfire: { policy: 'run-once', window: '1h' },
      retries: { max: 0, backoff: '30s', factor: 2, maxBackoff: '1h', jitter: 0.2 },
      killGracePeriod: '10s',
      owners: [],
      notify: { onFailure: [], onSuccess: [], onRecovery: [], onRetriesExhausted: [], onLate: [] },
      triggers: { onSuccess: [], onFailure: [] },
      priority: 0,
      paused: false,
      labels: {},
      ...over,
    }),
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it gives a truthy value, and returns that. */
export async function until<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export interface HarnessOptions {
  /** Start of the temporary data dir's name. */
  prefix?: string;
  /** How long `until`, `next` and `fileAppears` wait unless told otherwise. */
  timeoutMs?: number;
  /** Options every backend gets, before those given to `backend()`. */
  backend?: Partial<LocalBackendOptions>;
  /**
   * What the cleanup kills: a run's process group while its wrapper (same pid and start
   * time) is alive, or, with 'group', any group still there, so that processes a job left
   * behind die even after their wrapper has gone.
   */
  reap?: 'wrapper' | 'group';
}

/** A data dir, a message log and backends on it; everything is cleaned up after the test. */
export class Harness {
  readonly dataDir: string;
  readonly messages: Message[] = [];
  /** What the backends' `now()` answers. */
  clock = 1_000;
  private readonly backends: LocalBackend[] = [];
  private readonly timeoutMs: number;
  private readonly defaults: Partial<LocalBackendOptions>;
  private readonly reap: 'wrapper' | 'group';

  constructor(t: TestContext, options: HarnessOptions = {}) {
    this.dataDir = mkdtempSync(join(realpathSync(tmpdir()), options.prefix ?? 'moroccron-local-'));
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.defaults = options.backend ?? {};
    this.reap = options.reap ?? 'wrapper';
    t.after(() => this.cleanup());
  }

  backend(options: Partial<LocalBackendOptions> = {}): LocalBackend {
    const backend = new LocalBackend({
      dataDir: this.dataDir,
      post: (message) => this.messages.push(message),
      now: () => this.clock,
      agentId: 'test-agent',
      pollIntervalMs: 50,
      ...this.defaults,
      ...options,
    });
    this.backends.push(backend);
    return backend;
  }

  runDir(runId: string): string {
    return join(this.dataDir, 'runs', runId);
  }

  /** A run's log file as it is on disk, byte for byte. */
  /** A run's log; '' when there is no file (a capped stream that never printed has none, as the API reads it). */
  log(runId: string, stream: 'stdout' | 'stderr'): string {
    const path = join(this.runDir(runId), stream);
    return existsSync(path) ? readFileSync(path, 'latin1') : '';
  }

  pidOf(runId: string): number {
    const info = readPidFile(join(this.runDir(runId), 'pid'));
    assert.ok(info, `pid file of ${runId}`);
    return info.pid;
  }

  of(runId: string, messages: Message[] = this.messages): Message[] {
    return messages.filter((m) => 'runId' in m && m.runId === runId);
  }

  until<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = this.timeoutMs): Promise<T> {
    return until(what, probe, timeoutMs);
  }

  async next<T extends Message['type']>(runId: string, type: T, timeoutMs = this.timeoutMs): Promise<Extract<Message, { type: T }>> {
    return until(
      `${type} for ${runId}`,
      () => this.messages.find((m): m is Extract<Message, { type: T }> => m.type === type && 'runId' in m && m.runId === runId),
      timeoutMs,
    );
  }

  async fileAppears(runId: string, name: string, timeoutMs = this.timeoutMs): Promise<void> {
    await until(`${runId}/${name}`, () => existsSync(join(this.runDir(runId), name)), timeoutMs);
  }

  private async cleanup(): Promise<void> {
    for (const backend of this.backends) await backend.close();
    const runs = join(this.dataDir, 'runs');
    if (existsSync(runs)) {
      for (const runId of readdirSync(runs)) {
        const info = readPidFile(join(runs, runId, 'pid'));
        if (info === null) continue;
        const left = this.reap === 'group' ? groupExists(info.pid) : isAlive(info.pid, info.startTime);
        if (left) signalGroup(info.pid, 'SIGKILL');
      }
    }
    for (const copier of logCopiers(this.dataDir)) process.kill(copier.pid, 'SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
