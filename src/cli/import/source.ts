/** Where an import reads from: a file, standard input (-f -), or a URL (a Chronos server's /v1/scheduler/jobs). */
import { readFile } from 'node:fs/promises';
import { CliError } from '../cli-error.js';
import { connectFailure, tlsFailure } from '../connect-errors.js';
import { NoAnswer, type Http } from '../http.js';

export type ImportSource = { file: string } | { url: string };

export interface SourceText {
  text: string;
  /** How messages name the source: the file, "(stdin)", or the URL without its credentials. */
  label: string;
}

/** `http`: the CLI's own, so --ca and its handling of redirects apply to a Chronos server too. */
export async function readSource(source: ImportSource, timeoutMs: number, http: Http): Promise<SourceText> {
  if ('url' in source) return fetchSource(source.url, timeoutMs, http);
  if (source.file === '-') return { text: await readStdin(), label: '(stdin)' };
  const text = await readFile(source.file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${source.file}: ${e.code ?? e.message}`, 1);
  });
  return { text, label: source.file };
}

/** GET the URL; user:password in it becomes Basic authentication (fetch refuses URLs that carry them). */
async function fetchSource(address: string, timeoutMs: number, http: Http): Promise<SourceText> {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new CliError(`--from needs an http(s) URL, not "${address}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`--from needs an http(s) URL, not "${address}"`);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (url.username !== '' || url.password !== '') {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const label = url.toString();
  try {
    const response = await http.send(label, { method: 'GET', headers, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    if (!response.ok) throw new CliError(`${label} answered ${response.status} ${response.statusText}`.trim(), 1);
    return { text, label };
  } catch (error) {
    if (error instanceof CliError) throw error;
    const cause = error instanceof NoAnswer ? error.cause : error;
    const at = error instanceof NoAnswer && error.hops > 0 ? error.url.href : label;
    if (cause instanceof Error && cause.name === 'TimeoutError') throw new CliError(`no answer from ${at} in ${timeoutMs / 1000}s (--timeout to wait longer)`, 1);
    const tls = tlsFailure(cause, new URL(at).origin);
    throw new CliError(tls ? `cannot read ${at}: ${tls}` : `cannot reach ${at} (${connectFailure(cause)})`, 1);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
