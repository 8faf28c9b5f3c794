/**
 * `--mesos-principal` and `--mesos-secret-file`: the HTTP Basic credentials moroccron sends a
 * master run with --authenticate_http_frameworks. The secret comes from a file so that it
 * shows neither in the process list nor in the environment; it is never printed.
 */
import { readFile } from 'node:fs/promises';
import { credentialsProblem, type Credentials } from '../mesos/client/index.js';
import { CliError } from './client.js';

export interface CredentialSettings {
  backend?: string | undefined;
  'mesos-principal'?: string | undefined;
  'mesos-secret-file'?: string | undefined;
}

export async function mesosCredentials(s: CredentialSettings): Promise<Credentials | undefined> {
  const principal = s['mesos-principal'];
  const secretFile = s['mesos-secret-file'];
  if (principal === undefined && secretFile === undefined) return undefined;
  if (secretFile === undefined) throw new CliError('--mesos-principal needs --mesos-secret-file FILE, the file holding its secret');
  if (principal === undefined) throw new CliError('--mesos-secret-file needs --mesos-principal NAME, the principal the secret belongs to');
  if (s.backend !== 'mesos') throw new CliError('--mesos-principal and --mesos-secret-file apply to --backend mesos only');
  const principalProblem = credentialsProblem({ principal, secret: 'x' });
  if (principalProblem) throw new CliError(`--mesos-principal: ${principalProblem}`);
  return { principal, secret: await readSecretFile('mesos-secret-file', secretFile) };
}

/** The file's content without its trailing newline(s); errors name the flag and the file, never the content. */
export async function readSecretFile(flag: string, path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`--${flag} ${path}: cannot read it (${e.code ?? e.message})`);
  });
  const secret = text.replace(/[\r\n]+$/, '');
  if (secret === '') throw new CliError(`--${flag} ${path} is empty`);
  const problem = credentialsProblem({ principal: 'x', secret });
  if (problem) throw new CliError(`--${flag} ${path}: ${problem}`);
  return secret;
}
