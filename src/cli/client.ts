/** The CLI's HTTP client: JSON in and out, errors turned into one readable line. */
/** A failure told in one line; exit status 2 for a usage error (the default), 1 for any other. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
  }
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface ClientOptions {
  server: string;
  token?: string | undefined;
  /** For each request, from sending it to the end of the answer's body. */
  timeoutMs?: number;
}

interface ErrorBody {
  error?: { message?: string };
}

const isTimeout = (error: unknown): boolean => error instanceof Error && error.name === 'TimeoutError';

export class Client {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: ClientOptions) {
    this.base = options.server.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.base + path, { method, headers, signal, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      text = await response.text();
    } catch (error) {
      if (isTimeout(error)) {
        throw new CliError(`no answer from moroccron at ${this.base} in ${this.timeoutMs / 1000}s (--timeout or MOROCCRON_TIMEOUT to wait longer)`, 1);
      }
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new CliError(`cannot reach moroccron at ${this.base} (${cause}); is the server running? (--server or MOROCCRON_SERVER)`, 1);
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
