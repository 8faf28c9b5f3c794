/**
 * The wire: one JSON POST per call, redirects left to the caller (docs/mesos.md#endpoint, #redirects).
 * node:http rather than fetch: headers go out exactly as written (fetch adds its own), and
 * a one-socket keep-alive agent sends calls in order on one connection, so a SUPPRESS
 * is never overtaken by the REVIVE that follows it.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Pool } from 'undici';
import type { Call } from '../types.js';

export interface HttpResponse {
  status: number;
  header(name: string): string | undefined;
  /** The body's bytes; stopping early destroys the response and its socket. */
  body: AsyncIterable<Buffer>;
}

/** Keep-alive agents for one kind of traffic: calls use one socket per master, streams any number. */
export class Agents {
  private readonly http: HttpAgent;
  private readonly https: HttpsAgent;

  constructor(maxSocketsPerMaster: number) {
    this.http = new HttpAgent({ keepAlive: true, maxSockets: maxSocketsPerMaster });
    this.https = new HttpsAgent({ keepAlive: true, maxSockets: maxSocketsPerMaster });
  }

  for(url: URL): HttpAgent {
    return url.protocol === 'https:' ? this.https : this.http;
  }

  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

/**
 * Calls whose order means nothing (acknowledgements), by the thousand a second: an undici pool
 * per master, `connections` keep-alive sockets each. Its waiting line is a ring buffer (node:http's
 * agent takes each waiting request with Array.shift(), so a backlog cost time in proportion to
 * its length per request), and a request costs about half the CPU of one through node:http
 * (22 against 40 µs here). One request per socket at a time: no pipelining.
 */
export class UnorderedCalls {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly connections: number) {}

  async post(url: string, call: Call, extra: CallHeaders, signal: AbortSignal): Promise<{ status: number; body: string }> {
    const target = new URL(url);
    let pool = this.pools.get(target.origin);
    if (pool === undefined) {
      pool = new Pool(target.origin, { connections: this.connections, pipelining: 1 });
      this.pools.set(target.origin, pool);
    }
    const { statusCode, body } = await pool.request({
      path: `${target.pathname}${target.search}`,
      method: 'POST',
      headers: callHeaders(extra),
      body: JSON.stringify(call),
      signal,
    });
    return { status: statusCode, body: await body.text() };
  }

  destroy(): void {
    for (const pool of this.pools.values()) void pool.destroy().catch(() => {});
    this.pools.clear();
  }
}

/** Exact values: the master compares Content-Type as a plain string, so `; charset=utf-8` gets 415. */
function callHeaders(extra: CallHeaders): Record<string, string> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (extra.streamId !== undefined) headers['Mesos-Stream-Id'] = extra.streamId;
  if (extra.authorization !== undefined) headers.Authorization = extra.authorization;
  return headers;
}

/** Per-request headers: the stream's ID on calls, the Basic credentials when the master wants them. */
export interface CallHeaders {
  streamId?: string;
  authorization?: string;
}

export function postCall(url: string, call: Call, extra: CallHeaders, signal: AbortSignal, agents: Agents): Promise<HttpResponse> {
  const target = new URL(url);
  const body = Buffer.from(JSON.stringify(call), 'utf8');
  const headers: Record<string, string | number> = { ...callHeaders(extra), 'Content-Length': body.length };
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, { method: 'POST', headers, agent: agents.for(target), signal }, (res: IncomingMessage) =>
      resolve({
        status: res.statusCode ?? 0,
        header: (name) => {
          const value = res.headers[name.toLowerCase()];
          return Array.isArray(value) ? value[0] : value;
        },
        body: res,
      }),
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}

/** The body as text, or what was read before it failed (the status says enough then). */
export async function readText(response: HttpResponse): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of response.body) chunks.push(chunk);
  } catch {
    // keep what arrived
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
}
