/**
 * The API client: JSON in and out, the bearer token from the session, errors as `ApiError`
 * with the API's field details. A 401 sends the user to the login prompt.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { currentToken, requireLogin, useAuth } from './auth';
import { fetchFromLeader, NoLeader } from './leader-fetch';
import type { FieldError } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  /** Send `body` as it is (a string) with this content type, e.g. `application/yaml`. */
  contentType?: string;
  signal?: AbortSignal;
}

export const authHeaders = (): Record<string, string> => {
  const token = currentToken();
  return token ? { authorization: `Bearer ${token}` } : {};
};

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string; details?: FieldError[] } };
    if (parsed.error) {
      return new ApiError(response.status, parsed.error.code ?? 'error', parsed.error.message ?? response.statusText, parsed.error.details ?? []);
    }
  } catch {
    // Not JSON (a proxy's page): fall through to the status line.
  }
  return new ApiError(response.status, 'http_error', `${response.status} ${response.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`);
}

export async function apiRequest<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() };
  let payload: string | undefined;
  if (body !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json';
    payload = options.contentType ? String(body) : JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetchFromLeader(path, { method, headers, body: payload, signal: options.signal ?? null });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    if (error instanceof NoLeader) throw new ApiError(503, 'no_leader', error.message);
    throw new ApiError(0, 'network', `The server did not answer (${(error as Error).message}). Is moroccron running?`);
  }
  if (response.status === 401) {
    requireLogin();
    throw await errorOf(response);
  }
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  return (type.includes('json') ? await response.json() : await response.text()) as T;
}

export interface ApiState<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  /** Fetch again, keeping the current data on screen until the answer comes. */
  reload: () => void;
  /** Replace the data locally (a live event, an action's answer). */
  setData: (update: (previous: T | null) => T | null) => void;
}

/** GET `path` (null: nothing yet); fetches again when the path changes or after a sign-in. */
export function useApi<T>(path: string | null): ApiState<T> {
  const [data, setDataState] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(path !== null);
  const [nonce, setNonce] = useState(0);
  const { generation } = useAuth();
  const lastPath = useRef<string | null>(null);

  useEffect(() => {
    if (path === null) {
      setLoading(false);
      return;
    }
    if (lastPath.current !== path) {
      lastPath.current = path;
      setDataState(null);
    }
    const controller = new AbortController();
    setLoading(true);
    apiRequest<T>('GET', path, undefined, { signal: controller.signal }).then(
      (value) => {
        setDataState(value);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [path, nonce, generation]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const setData = useCallback((update: (previous: T | null) => T | null) => setDataState(update), []);
  return { data, error, loading, reload, setData };
}

/** `/api/v1/x` with query parameters, leaving out empty ones. */
export function apiPath(path: string, query: Record<string, string | number | undefined | null> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

export const jobPath = (name: string): string => `/api/v1/jobs/${encodeURIComponent(name)}`;
export const runPath = (id: string): string => `/api/v1/runs/${encodeURIComponent(id)}`;
