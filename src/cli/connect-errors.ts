/** Why a request got no answer, in words for one line: TLS failures say what to do about them. */

/** OpenSSL's verification failures that a CA the CLI trusts would cure. */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
]);

interface ErrorCause {
  code?: string;
  message?: string;
}

const causeOf = (error: unknown): ErrorCause => ((error as { cause?: ErrorCause }).cause ?? (error as ErrorCause)) as ErrorCause;

/** A failure that TLS explains (a certificate not trusted, https spoken to http or the reverse), described for `origin`; else null. */
export function tlsFailure(error: unknown, origin: string): string | null {
  const { code = '', message = '' } = causeOf(error);
  const detail = message.split('\n')[0];
  if (UNTRUSTED.has(code)) return `the certificate of ${origin} is not trusted (${detail}); give the CA that signed it with --ca FILE or MOROCCRON_CA`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `the certificate of ${origin} is not valid now (${detail})`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the certificate of ${origin} is not for that name (${detail})`;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO') return `${origin} did not answer TLS; does it serve http:// rather than https://?`;
  // An HTTPS server hangs up on a request sent in clear.
  if (origin.startsWith('http:') && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET')) return `${origin} closed the connection at once; does it serve https:// rather than http://?`;
  return null;
}

/** The cause's code (ECONNREFUSED, ...) or its message's first line. */
export function connectFailure(error: unknown): string {
  const { code, message } = causeOf(error);
  return code ?? (message ?? String(error)).split('\n')[0]!;
}
