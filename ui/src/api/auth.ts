/**
 * The API token for this browser tab (sessionStorage `moroccron.token`) and whether the
 * server asked for one: a 401 clears the token and raises `loginRequired`, which the app
 * answers with the login prompt. Signing in bumps `generation`, so views fetch again.
 */
import { useSyncExternalStore } from 'react';

export const TOKEN_KEY = 'moroccron.token';

interface AuthState {
  token: string | null;
  loginRequired: boolean;
  /** Raised on every sign-in, so hooks that read the API retry what failed. */
  generation: number;
}

function readToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

let state: AuthState = { token: readToken(), loginRequired: false, generation: 0 };
const listeners = new Set<() => void>();

function set(next: Partial<AuthState>): void {
  state = { ...state, ...next };
  for (const listener of listeners) listener();
}

export const currentToken = (): string | null => state.token;

export function signIn(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  set({ token, loginRequired: false, generation: state.generation + 1 });
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  set({ token: null, loginRequired: true });
}

/** The server refused the token (or there was none): forget it and ask for one. */
export function requireLogin(): void {
  if (state.loginRequired && state.token === null) return;
  sessionStorage.removeItem(TOKEN_KEY);
  set({ token: null, loginRequired: true });
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const useAuth = (): AuthState => useSyncExternalStore(subscribe, () => state);
