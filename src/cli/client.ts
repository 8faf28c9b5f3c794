/** The CLI's HTTP client: JSON in and out, errors turned into one readable line. */
import { CliError } from './cli-error.js';
import { connectFailure, tlsFailure } from './connect-errors.js';
import { Http, NoAnswer, type Response } from './http.js';

export { CliError };

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface ClientOptions {
  server: string;
  token?: string | undefined;
  /** For each request, from sending it to the end of the answer's body. */
  timeoutMs?: number;
  /** PEM certificates to trust besides the system's CAs (--ca, MOROCCRON_CA). */
  ca?: string | undefined;
}

interface ErrorBody {
  error?: { message?: string };
}

const isTimeout = (error: unknown): boolean => error instanceof Error && error.name === 'TimeoutError';

export class Client {
  private readonly base: string;
  private readonly timeoutMs: number;
  /** Every request of this command goes through it, the import's --from included. */
  readonly http: Http;

  constructor(private readonly options: ClientOptions) {
    this.base = options.server.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.http = new Http(options.ca);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.http.send(this.base + path, { method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body) });
      text = await response.text();
    } catch (error) {
      if (error instanceof CliError) throw error;
      const noAnswer = error instanceof NoAnswer ? error : null;
      const cause = noAnswer ? noAnswer.cause : error;
      // After a redirect, the member that did not answer is named, not the one asked.
      const at = noAnswer && noAnswer.hops > 0 ? `${noAnswer.url.origin} (redirected there from ${this.base})` : this.base;
      if (isTimeout(cause)) {
        throw new CliError(`no answer from moroccron at ${at} in ${this.timeoutMs / 1000}s (--timeout or MOROCCRON_TIMEOUT to wait longer)`, 1);
      }
      const tls = tlsFailure(cause, at);
      if (tls) throw new CliError(`cannot reach moroccron: ${tls}`, 1);
      throw new CliError(`cannot reach moroccron at ${at} (${connectFailure(cause)}); is the server running? (--server or MOROCCRON_SERVER)`, 1);
    }
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (!response.ok) {
      // The server's message already names the fields at fault.
      const message = (parsed as ErrorBody | undefined)?.error?.message ?? (typeof parsed === 'string' && parsed ? parsed : response.statusText);
      throw new CliError(`${response.status}: ${message}`, 1);
    }
    return parsed as T;
  }
}
