import { STDERR_TAIL_LINES, type StderrTail } from './render.js';

export type ReadStderrTail = (runId: string, lines: number) => Promise<string[]>;

/** The run's last stderr lines, or "not available" when the read fails or takes longer than timeoutMs. */
export async function readStderrTailSafely(read: ReadStderrTail, runId: string, timeoutMs: number): Promise<StderrTail> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    const lines = await Promise.race([read(runId, STDERR_TAIL_LINES), timeout]);
    return lines === null ? { available: false } : { available: true, lines: withoutTrailingBlanks(lines).slice(-STDERR_TAIL_LINES) };
  } catch {
    return { available: false };
  } finally {
    clearTimeout(timer);
  }
}

/** A log that ends with a newline splits into a last empty line, which says nothing. */
function withoutTrailingBlanks(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === '') end -= 1;
  return lines.slice(0, end);
}
