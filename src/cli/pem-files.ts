/**
 * PEM files named on the command line: the server's certificate and key (`serve --tls-cert
 * --tls-key`) and the CA bundle the CLI trusts (`--ca`). Each is read and checked before
 * anything starts, so a wrong file is one line naming the flag and the file, never a stack
 * trace from deep inside TLS. (Node accepts a `ca` that holds no certificate at all without a
 * word; it would only show later as "not trusted".)
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { TlsCredentials } from '../api/server.js';
import { CliError } from './cli-error.js';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/;

/** How messages name where a path came from: `--tls-cert`, `MOROCCRON_CA`, ... */
type Source = string;

const firstLine = (error: unknown): string => String((error as Error).message ?? error).split('\n')[0]!;

function readPem(source: Source, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`${source} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? firstLine(e)})`);
  }
}

/** Every certificate in the text, parsed; none is an error. */
function certificates(source: Source, path: string, text: string, what: string): X509Certificate[] {
  const blocks = text.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) throw new CliError(`${source} ${path}: no PEM certificate in it (${what})`);
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (e) {
      throw new CliError(`${source} ${path}: certificate ${i + 1} in it cannot be read (${firstLine(e)})`);
    }
  });
}

/** `serve --tls-cert FILE --tls-key FILE`, both or neither (from flags, environment or config file): HTTPS, or plain HTTP. */
export function serverTls(certPath: string | undefined, keyPath: string | undefined): TlsCredentials | undefined {
  if (!certPath && !keyPath) return undefined;
  if (!keyPath) throw new CliError('--tls-cert needs --tls-key too: the PEM private key of the certificate');
  if (!certPath) throw new CliError('--tls-key needs --tls-cert too: the PEM certificate that goes with the key');
  return readServerTls(certPath, keyPath);
}

/** The certificate (its chain may follow it) and the private key that matches it. */
function readServerTls(certPath: string, keyPath: string): TlsCredentials {
  const cert = readPem('--tls-cert', certPath);
  const key = readPem('--tls-key', keyPath);
  const [leaf] = certificates('--tls-cert', certPath, cert, 'expected -----BEGIN CERTIFICATE-----');
  if (ENCRYPTED_KEY.test(key)) throw new CliError(`--tls-key ${keyPath}: the key is encrypted; give it without a passphrase (openssl pkey -in KEY -out PLAIN)`);
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (e) {
    throw new CliError(`--tls-key ${keyPath}: not a PEM private key (${firstLine(e)})`);
  }
  if (!leaf!.checkPrivateKey(privateKey)) throw new CliError(`--tls-key ${keyPath} is not the key of the certificate in --tls-cert ${certPath}`);
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    throw new CliError(`--tls-cert ${certPath} with --tls-key ${keyPath}: ${firstLine(e)}`);
  }
  return { cert, key };
}

/** `--ca FILE` or `MOROCCRON_CA`: one or more PEM certificates to trust besides the system's CAs. */
export function readCaBundle(source: Source, path: string): string {
  const text = readPem(source, path);
  certificates(source, path, text, 'expected the CA certificate(s) that signed the server\'s, -----BEGIN CERTIFICATE-----');
  return text;
}
