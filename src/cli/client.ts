/** The CLI's HTTP client: JSON in and out, errors turned into one readable line. */
export class CliError extends Error {}

export interface ClientOptions {
  server: string;
  token?: string | undefined;
}

interface ErrorBody {
  error?: { message?: string };
}

export class Client {
  private readonly base: string;

  constructor(private readonly options: ClientOptions) {
    this.base = options.server.replace(/\/+$/, '');
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    let response: Response;
    try {
      response = await fetch(this.base + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new CliError(`cannot reach moroccron at ${this.base} (${cause}); is the server running? (--server or MOROCCRON_SERVER)`);
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    if (!response.ok) {
      // The server's message already names the fields at fault.
      const message = (parsed as ErrorBody | undefined)?.error?.message ?? (typeof parsed === 'string' && parsed ? parsed : response.statusText);
      throw new CliError(`${response.status}: ${message}`);
    }
    return parsed as T;
  }
}
