/**
 * HTTP Basic authentication as libprocess's BasicAuthenticator does it: every failure is a
 * 401 with the route's realm (docs/mesos.md#authentication).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Credentials } from '../client/credentials.js';
import { sendText } from './http-io.js';

/** The scheduler endpoint, under --authenticate_http_frameworks. */
export const SCHEDULER_REALM = 'mesos-master-scheduler';
/** /master/state and the like, under the master's --authenticate_http_readonly. */
export const MASTER_READONLY_REALM = 'mesos-master-readonly';
/** An agent's /files and /state, under the agent's --authenticate_http_readonly. */
export const AGENT_READONLY_REALM = 'mesos-agent-readonly';

/** principal → secret */
export type CredentialTable = ReadonlyMap<string, string>;

export const credentialTable = (credentials: readonly Credentials[]): CredentialTable => new Map(credentials.map((c) => [c.principal, c.secret]));

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The authenticated principal, or undefined. The header must be exactly `Basic <base64>`,
 * and the decoded text split on ':' exactly two parts naming a known principal and its secret.
 */
export function authenticatedPrincipal(header: string | undefined, table: CredentialTable): string | undefined {
  if (header === undefined) return undefined;
  const components = header.split(' ');
  if (components.length !== 2 || components[0] !== 'Basic' || !BASE64.test(components[1]!)) return undefined;
  const credential = Buffer.from(components[1]!, 'base64').toString('utf8').split(':');
  if (credential.length !== 2) return undefined;
  const [principal, secret] = credential as [string, string];
  return table.has(principal) && table.get(principal) === secret ? principal : undefined;
}

export type Authentication = { ok: true; principal: string | undefined } | { ok: false };

/**
 * With a table, the request must authenticate or it is answered 401 here (its body drained).
 * Without one, authentication is off and nobody is authenticated.
 */
export function authenticate(req: IncomingMessage, res: ServerResponse, table: CredentialTable | undefined, realm: string, log: (line: string) => void): Authentication {
  if (table === undefined) return { ok: true, principal: undefined };
  const principal = authenticatedPrincipal(req.headers.authorization, table);
  if (principal !== undefined) return { ok: true, principal };
  req.resume();
  log(`401 for ${req.method ?? ''} ${req.url ?? ''}: ${req.headers.authorization === undefined ? 'no' : 'invalid'} credentials (realm ${realm})`);
  sendText(res, 401, '', { 'WWW-Authenticate': `Basic realm="${realm}"` });
  return { ok: false };
}
