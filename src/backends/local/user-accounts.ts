/**
 * This host's OS users and their groups, read once at start: who the server runs as, which users exist,
 * and whether the server can run jobs as another user at all: that takes root, and
 * `setpriv` (util-linux) to switch inside the wrapper (see run-as.ts).
 */
import { userInfo } from 'node:os';
import type { HostUsers } from '../../core/types.js';
import { listGroups, listUsers, supplementaryGroups, type UserAccount } from '../../lib/passwd.js';
import { findExecutable } from './host-tools.js';

export type { UserAccount };

export interface UserAccounts {
  /** The user the server runs as. */
  self: UserAccount;
  /** By name; the first entry wins when a name appears twice (as getpwnam does). */
  byName: ReadonlyMap<string, UserAccount>;
  /** Users' supplementary groups by user name (a container run gets them by gid; setpriv's --init-groups finds them itself). */
  groupsOf: ReadonlyMap<string, readonly number[]>;
  /** Absolute path of setpriv, when the server can switch users. */
  setpriv: string | null;
  /** Why the server cannot run jobs as another user; null: it can. */
  cannotSwitch: string | null;
}

export function readUserAccounts(path = process.env.PATH ?? ''): UserAccounts {
  const me = userInfo();
  const self: UserAccount = { name: me.username, uid: me.uid, gid: me.gid, home: me.homedir };
  const byName = new Map<string, UserAccount>();
  for (const account of listUsers()) if (!byName.has(account.name)) byName.set(account.name, account);
  if (!byName.has(self.name)) byName.set(self.name, self);
  const setpriv = me.uid === 0 ? findExecutable('setpriv', '', path) || null : null;
  const cannotSwitch = me.uid !== 0 ? 'it is not root' : setpriv === null ? 'setpriv (util-linux) is not installed' : null;
  return { self, byName, groupsOf: supplementaryGroups(listGroups()), setpriv, cannotSwitch };
}

/** What the core checks a job's `user` against. */
export function hostUsersOf(accounts: UserAccounts): HostUsers {
  return { self: accounts.self.name, cannotSwitch: accounts.cannotSwitch, known: [...accounts.byName.keys()] };
}
