/**
 * This host's users and groups as the C library sees them (`getent passwd` and `getent
 * group`, so NSS users count too; /etc/passwd and /etc/group where there is no getent).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface UserAccount {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface UserGroup {
  name: string;
  gid: number;
  /** User names listed as members (the group's primary members are not listed). */
  members: string[];
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

/** `name:password:gid:member,member` lines; malformed ones are skipped. */
export function parseGroups(text: string): UserGroup[] {
  const groups: UserGroup[] = [];
  for (const line of text.split('\n')) {
    const [name, , gid, members] = line.split(':');
    if (!name || members === undefined || !/^\d+$/.test(gid ?? '')) continue;
    groups.push({ name, gid: Number(gid), members: members.trim() === '' ? [] : members.trim().split(',') });
  }
  return groups;
}

function getent(database: 'passwd' | 'group', keys: string[]): string | null {
  const result = spawnSync('getent', [database, '--', ...keys], { encoding: 'utf8', timeout: 30_000, maxBuffer: 256 * 1024 * 1024 });
  // 2: a key was not found; anything else but 0 (or no getent at all): ask /etc/passwd.
  if (result.status === 0 || result.status === 2) return result.stdout;
  return null;
}

function etcFile(database: 'passwd' | 'group'): string {
  try {
    return readFileSync(`/etc/${database}`, 'utf8');
  } catch {
    return '';
  }
}

/** Every user the host lists. */
export function listUsers(): UserAccount[] {
  return parsePasswd(getent('passwd', []) ?? etcFile('passwd'));
}

/** Every group the host lists. */
export function listGroups(): UserGroup[] {
  return parseGroups(getent('group', []) ?? etcFile('group'));
}

/** Each user's supplementary groups (those that list the user as a member), as initgroups would give them; by user name. */
export function supplementaryGroups(groups: readonly UserGroup[]): Map<string, number[]> {
  const byUser = new Map<string, number[]>();
  for (const group of groups) {
    for (const member of group.members) {
      const gids = byUser.get(member) ?? [];
      if (!gids.includes(group.gid)) gids.push(group.gid);
      byUser.set(member, gids);
    }
  }
  return byUser;
}

/** One user by name, as getpwnam would find it; undefined when there is none. */
export function findUser(name: string): UserAccount | undefined {
  const text = getent('passwd', [name]) ?? etcFile('passwd');
  return parsePasswd(text).find((account) => account.name === name);
}
