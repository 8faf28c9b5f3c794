/**
 * One JSON POST with a timeout, and what its answer means for retrying:
 * 2xx delivered; 408, 429, 5xx and network errors retried; anything else (other 4xx, a
 * redirect) given up, since the same request would get the same answer.
 */
import type { SendOutcome } from './options.js';

const MAX_REASON_BODY = 300;

export interface JsonPost {
  url: string;
  body: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Aborts the request when the notifier closes. */
  signal: AbortSignal;
}

export async function postJson(post: JsonPost): Promise<SendOutcome> {
  // Slack and webhook URLs carry secrets in their paths: reasons name the host only.
  const where = hostOf(post.url);
  if (where === null) return { ok: false, retryable: false, reason: 'not an http(s) URL' };
  let response: Response;
  try {
    response = await fetch(post.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'moroccron-notifier', ...post.headers },
      body: post.body,
      redirect: 'manual',
      signal: AbortSignal.any([post.signal, AbortSignal.timeout(post.timeoutMs)]),
    });
  } catch (error) {
    return { ok: false, retryable: true, reason: `${where}: ${networkErrorText(error, post.timeoutMs)}` };
  }
  const answer = await response.text().catch(() => '');
  if (response.status >= 200 && response.status < 300) return { ok: true };
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
  const detail = answer.trim().slice(0, MAX_REASON_BODY);
  return { ok: false, retryable, reason: `HTTP ${response.status} from ${where}${detail ? `: ${detail}` : ''}` };
}

function hostOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.host : null;
  } catch {
    return null;
  }
}

function networkErrorText(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (error instanceof DOMException && error.name === 'AbortError') return 'aborted (the notifier closed)';
  if (error instanceof Error) {
    const cause = error.cause;
    if (cause instanceof Error) return 'code' in cause && typeof cause.code === 'string' ? `${cause.code} (${cause.message})` : cause.message;
    return error.message;
  }
  return String(error);
}
