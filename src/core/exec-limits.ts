/**
 * What execve(2) accepts on Linux, so that a job that validates can also start: its program
 * gets the command (as `/bin/sh -c <command>`) or args, and the environment, as C strings.
 *
 * - No string may hold a NUL byte: it would end the string early.
 * - Each string, with its terminating NUL, must fit MAX_ARG_STRLEN (32 pages: 131072 bytes), else E2BIG.
 *   An environment entry is the one string "NAME=value".
 * - All strings with their NULs and one 8-byte pointer each must fit ARG_MAX: a quarter of the
 *   stack limit, 2 MiB with the usual 8 MiB. A job may use half of that; the other half is left
 *   for the server's own environment (the local backend passes it on) and moroccron's variables.
 */

export const MAX_EXEC_STRING_BYTES = 131_072 - 1;
export const MAX_EXEC_TOTAL_BYTES = 1 << 20;

const POINTER_BYTES = 8;
const SHELL_ARGV = ['/bin/sh', '-c'];

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Why one string cannot be passed to a program, or null; the message reads after the field's name. */
export function execStringProblem(s: string): string | null {
  if (s.includes('\0')) return 'contains a NUL byte, which no program can receive';
  const size = bytes(s);
  if (size > MAX_EXEC_STRING_BYTES) {
    return `is ${size} bytes; the limit is ${MAX_EXEC_STRING_BYTES} bytes (Linux MAX_ARG_STRLEN, 128 KiB with its NUL)`;
  }
  return null;
}

export interface ExecInput {
  command?: string | undefined;
  args?: readonly string[] | undefined;
  env: Readonly<Record<string, string>>;
}

/** Bytes the job's own argv and environment take of ARG_MAX, by where they come from. */
export function execFootprint(job: ExecInput): { argv: number; env: number } {
  const cost = (s: string) => bytes(s) + 1 + POINTER_BYTES;
  const argv = job.command !== undefined ? [...SHELL_ARGV, job.command] : (job.args ?? []);
  return {
    argv: argv.reduce((sum, s) => sum + cost(s), 0),
    env: Object.entries(job.env).reduce((sum, [name, value]) => sum + cost(`${name}=${value}`), 0),
  };
}

export const execTotalProblem = (total: number): string | null =>
  total > MAX_EXEC_TOTAL_BYTES
    ? `command or args and env together take ${total} bytes (each string, its NUL and an 8-byte pointer); the limit is ${MAX_EXEC_TOTAL_BYTES} bytes, half of Linux's default ARG_MAX of 2 MiB`
    : null;
