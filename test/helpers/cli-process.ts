/** The built `moroccron` command run as a process, with what it wrote and how it exited. */
import { spawn } from 'node:child_process';
import { BIN } from './server-process.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliOptions {
  /** Written to its standard input, then closed; without it stdin is /dev/null. */
  stdin?: string;
  /** More environment; MOROCCRON_SERVER and MOROCCRON_TIMEOUT start empty, so the flags decide. */
  env?: Record<string, string>;
  /** SIGKILL it after this long (a hang is what some tests look for). */
  killAfterMs?: number;
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, MOROCCRON_SERVER: '', MOROCCRON_TIMEOUT: '', ...options.env },
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 30_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}
