/** Start `moroccron serve` as a real process (the built bin), find its URL, kill it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killLogCopiers, killProcessesNaming } from './log-copiers.js';

export const BIN = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  output: () => string;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

export function tempDir(prefix = 'moroccron-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    remove: () => {
      // The log copier outlives its server, as the runs do: stop it, and retry a removal that met a file it was writing.
      killLogCopiers(path);
      try {
        rmSync(path, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
      } catch (error) {
        // Something still writes there: say what, stop it, and remove what is left.
        const killed = killProcessesNaming(path);
        process.stderr.write(`tempDir: removing ${path} met ${(error as Error).message}; stopped ${killed} process(es) naming it\n`);
        rmSync(path, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
      }
    },
  };
}

export async function startServerProcess(
  dataDir: string,
  extraArgs: string[] = [],
  options: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<ServerProcess> {
  // Tests poll the API (10 requests a second): no rate limit unless the test asks for one.
  const rateLimit = extraArgs.includes('--rate-limit') ? [] : ['--rate-limit', '0'];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, 'serve', '--port', '0', '--data-dir', dataDir, ...rateLimit, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MOROCCRON_LOG_LEVEL: 'info', ...options.env },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${out}`)), 20_000);
    const onData = () => {
      const m = /moroccron serving on (https?:\/\/[^"\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} at start:\n${out}`));
    });
  });
  return {
    url,
    child,
    exited: exited.then(() => child.exitCode),
    output: () => out,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      // A request answered twice is a bug even when the client got the first answer.
      const twice = /.*Reply was already sent.*/.exec(out);
      if (twice) throw new Error(`the server answered a request twice: ${twice[0].slice(0, 500)}`);
    },
  };
}

export async function api<T = unknown>(url: string, method = 'GET', body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: T }> {
  const init: RequestInit = { method, headers: body === undefined ? {} : { 'content-type': contentType } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(url, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed as T };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll until `check` returns a value (not undefined), or fail after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

const ENDED = ['succeeded', 'failed', 'killed', 'lost', 'skipped'];

/** Wait for run `runId` to end; the run as the API shows it then. */
export async function runEnded<T extends { status: string }>(url: string, runId: string, timeoutMs = 20_000, what = `run ${runId} to end`): Promise<T> {
  return eventually(
    async () => {
      const run = (await api<T>(`${url}/api/v1/runs/${encodeURIComponent(runId)}`)).body;
      return ENDED.includes(run.status) ? run : undefined;
    },
    timeoutMs,
    what,
  );
}

/** Start a run of an existing job now and wait for it to end; the run as the API shows it. */
export async function runToEnd<T extends { id: string; status: string }>(url: string, job: string, timeoutMs = 20_000): Promise<T> {
  const started = await api<T>(`${url}/api/v1/jobs/${encodeURIComponent(job)}/run`, 'POST');
  if (started.status !== 201) throw new Error(`POST /jobs/${job}/run: ${started.status} ${JSON.stringify(started.body)}`);
  return runEnded<T>(url, started.body.id, timeoutMs, `run ${started.body.id} of ${job} to end`);
}

/** Put the job (POST /jobs) and run it once to its end. */
export async function putAndRunToEnd<T extends { id: string; status: string }>(url: string, job: { name: string } & Record<string, unknown>, timeoutMs = 20_000): Promise<T> {
  const put = await api(`${url}/api/v1/jobs`, 'POST', job);
  if (put.status !== 201 && put.status !== 200) throw new Error(`POST /jobs ${job.name}: ${put.status} ${JSON.stringify(put.body)}`);
  return runToEnd<T>(url, job.name, timeoutMs);
}
