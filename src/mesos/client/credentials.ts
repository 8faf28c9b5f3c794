/**
 * HTTP Basic credentials for a master run with --authenticate_http_frameworks (and for its
 * and its agents' read-only endpoints under --authenticate_http_readonly).
 * See docs/mesos.md#authentication.
 */

export interface Credentials {
  principal: string;
  secret: string;
}

/**
 * Why these credentials can never authenticate, or undefined. libprocess splits the decoded
 * `principal:secret` on every ':' and wants exactly two parts, so a ':' in either is refused.
 */
export function credentialsProblem(credentials: Credentials): string | undefined {
  if (credentials.principal === '') return 'the principal is empty';
  if (credentials.principal.includes(':')) return "the principal contains ':', which Mesos cannot tell from the separator";
  if (credentials.secret === '') return 'the secret is empty';
  if (credentials.secret.includes(':')) return "the secret contains ':', which Mesos cannot tell from the separator";
  return undefined;
}

/** The `Authorization` header value: `Basic base64(principal:secret)`. */
export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.principal}:${credentials.secret}`, 'utf8').toString('base64')}`;
}

/** Headers for a read of `/master/state` or an agent's `/files`: the Authorization header, if there are credentials. */
export function authorizationHeaders(credentials: Credentials | undefined): Record<string, string> {
  return credentials ? { Authorization: basicAuthorization(credentials) } : {};
}
