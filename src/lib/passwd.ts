/**
 * This host's users as the C library sees them (`getent passwd`, so NSS users count too;
 * /etc/passwd where there is no getent).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface UserAccount {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** `name:password:uid:gid:gecos:home:shell` lines; malformed ones are skipped. */
export function parsePasswd(text: string): UserAccount[] {
  const accounts: UserAccount[] = [];
  for (const line of text.split('\n')) {
    const [name, , uid, gid, , home, shell] = line.split(':');
    if (!name || shell === undefined || !/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '')) continue;
    accounts.push({ name, uid: Number(uid), gid: Number(gid), home: home || '/' });
  }
  return accounts;
}

function getent(keys: string[]): string | null {
  const result = spawnSync('getent', ['passwd', '--', ...keys], { encoding: 'utf8', timeout: 30_000, maxBuffer: 256 * 1024 * 1024 });
  // 2: a key was not found; anything else but 0 (or no getent at all): ask /etc/passwd.
  if (result.status === 0 || result.status === 2) return result.stdout;
  return null;
}

function etcPasswd(): string {
  try {
    return readFileSync('/etc/passwd', 'utf8');
  } catch {
    return '';
  }
}

/** Every user the host lists. */
export function listUsers(): UserAccount[] {
  return parsePasswd(getent([]) ?? etcPasswd());
}

/** One user by name, as getpwnam would find it; undefined when there is none. */
export function findUser(name: string): UserAccount | undefined {
  const text = getent([name]) ?? etcPasswd();
  return parsePasswd(text).find((account) => account.name === name);
}
