/**
 * A throwaway certificate authority and a server certificate it signed for 127.0.0.1 and
 * localhost, made with the openssl command (Debian's openssl package), plus a second CA that
 * signed nothing here. Without openssl, TLS tests skip locally and fail under CI=true.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent, fetch } from 'undici';

const exec = promisify(execFile);

const OPENSSL = '/usr/bin/openssl';

/** Why TLS tests cannot run here, or null when they can. Under CI a missing openssl is an error. */
export function opensslUnavailable(): string | null {
  if (existsSync(OPENSSL)) return null;
  const why = `openssl is not installed (${OPENSSL}); apt-get install openssl`;
  if (process.env.CI === 'true') throw new Error(why);
  return why;
}

export interface TestPki {
  /** The CA that signed the server certificate (PEM file). */
  caCert: string;
  /** A CA that signed nothing the servers here use. */
  otherCaCert: string;
  /** The CA's private key: a valid key that is not the server certificate's. */
  caKey: string;
  /** For 127.0.0.1 and localhost, signed by the CA. */
  serverCert: string;
  serverKey: string;
  /** The server key, encrypted with a passphrase. */
  encryptedServerKey: string;
}

const openssl = (dir: string, args: string[]) => exec(OPENSSL, args, { cwd: dir });

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function makeCa(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  await openssl(dir, ['req', '-x509', ...EC_KEY, '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=moroccron ${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return { cert, key };
}

export async function makeTestPki(dir: string): Promise<TestPki> {
  const ca = await makeCa(dir, 'test-ca');
  const other = await makeCa(dir, 'other-ca');
  const serverKey = join(dir, 'server.key');
  const serverCert = join(dir, 'server.pem');
  const request = join(dir, 'server.csr');
  const extensions = join(dir, 'server.ext');
  writeFileSync(extensions, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n');
  await openssl(dir, ['req', ...EC_KEY, '-keyout', serverKey, '-out', request, '-subj', '/CN=127.0.0.1']);
  await openssl(dir, ['x509', '-req', '-in', request, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', String(Date.now()), '-days', '2', '-extfile', extensions, '-out', serverCert]);
  const encryptedServerKey = join(dir, 'server-encrypted.key');
  await openssl(dir, ['pkey', '-in', serverKey, '-aes256', '-passout', 'pass:moroccron', '-out', encryptedServerKey]);
  return { caCert: ca.cert, otherCaCert: other.cert, caKey: ca.key, serverCert, serverKey, encryptedServerKey };
}

/** A GET that trusts the test CA, for a test's own look at an HTTPS server. */
export async function getJson<T>(url: string, caCert: string): Promise<{ status: number; body: T }> {
  const dispatcher = new Agent({ connect: { ca: readFileSync(caCert, 'utf8') } });
  try {
    const response = await fetch(url, { dispatcher, signal: AbortSignal.timeout(5000) });
    return { status: response.status, body: (await response.json()) as T };
  } finally {
    await dispatcher.close();
  }
}
