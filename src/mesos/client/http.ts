/**
 * The wire: one JSON POST per call, redirects left to the caller (docs/mesos.md#endpoint, #redirects).
 * node:http rather than fetch: headers go out exactly as written (fetch adds its own), and
 * a one-socket keep-alive agent sends calls in order on one connection, so a SUPPRESS
 * is never overtaken by the REVIVE that follows it.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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

/** Per-request headers: the stream's ID on calls, the Basic credentials when the master wants them. */
export interface CallHeaders {
  streamId?: string;
  authorization?: string;
}

export function postCall(url: string, call: Call, extra: CallHeaders, signal: AbortSignal, agents: Agents): Promise<HttpResponse> {
  const target = new URL(url);
  const body = Buffer.from(JSON.stringify(call), 'utf8');
  // Exact values: the master compares Content-Type as a plain string, so `; charset=utf-8` gets 415.
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
    'Content-Length': body.length,
  };
  if (extra.streamId !== undefined) headers['Mesos-Stream-Id'] = extra.streamId;
  if (extra.authorization !== undefined) headers.Authorization = extra.authorization;
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
