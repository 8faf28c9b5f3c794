/**
 * How the CLI speaks HTTP: undici's fetch through one undici Agent (the CA bundle from --ca
 * trusted besides the system's), with redirects followed here rather than by fetch. A standby
 * answers writes with 307 to the leader, another origin, and fetch would drop the
 * Authorization header on the way; here the method, the body and every header go along.
 */
import { rootCertificates } from 'node:tls';
import { Agent, fetch, type Response } from 'undici';
import { CliError } from './cli-error.js';

export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface HttpRequest {
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  signal: AbortSignal;
}

export type { Response };

/** No answer from `url` (after `hops` redirects from the URL asked for); `cause` says why. */
export class NoAnswer extends Error {
  constructor(
    readonly url: URL,
    readonly hops: number,
    override readonly cause: unknown,
  ) {
    super(`no answer from ${url.href}`);
  }
}

export class Http {
  private readonly agent: Agent;

  /** `ca`: PEM certificates trusted besides the system's CAs. */
  constructor(ca?: string) {
    this.agent = new Agent(ca === undefined ? {} : { connect: { ca: [...rootCertificates, ca] } });
  }

  /** The first answer that is not a redirect; a refused or endless redirect is a CliError (exit 1), no answer a NoAnswer. */
  async send(url: string, request: HttpRequest): Promise<Response> {
    let current = new URL(url);
    let { method, body } = request;
    const headers = { ...request.headers };
    for (let hops = 0; ; hops++) {
      let response: Response;
      try {
        response = await fetch(current, { method, headers, body, signal: request.signal, redirect: 'manual', dispatcher: this.agent });
      } catch (error) {
        throw new NoAnswer(current, hops, error);
      }
      const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
      if (location === null) return response;
      await response.arrayBuffer();
      if (hops === MAX_REDIRECTS) throw new CliError(`${url}: more than ${MAX_REDIRECTS} redirects (the last to ${location})`, 1);
      const next = new URL(location, current);
      refuseDowngrade(current, next);
      // As fetch does: 303, and 301/302 after a POST, become a GET without the body.
      if ((response.status === 303 && method !== 'GET' && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        delete headers['content-type'];
      }
      current = next;
    }
  }
}

/** http to http, https to https, http to https; never https to http, which would send the request (and its token) in clear. */
function refuseDowngrade(from: URL, to: URL): void {
  if (to.protocol !== 'http:' && to.protocol !== 'https:') throw new CliError(`${from.origin} redirected to ${to.href}, which is not http(s); not followed`, 1);
  if (from.protocol === 'https:' && to.protocol === 'http:') {
    throw new CliError(`${from.origin} redirected to ${to.origin}; not followed, since that would send the request and its credentials without TLS`, 1);
  }
}
