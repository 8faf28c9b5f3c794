/**
 * Which OS user a local run's command runs as, and how it gets there.
 *
 * A server that is not root runs every job as itself. A root server runs a job as its
 * `user`, else as the default user (`--run-as`), else as root.
 *
 * Only the job's command changes user, and only it gets the job's environment (ENV_FROM_FD3). The wrapper and its log copiers stay root, so
 * nothing the job does can forge what they write in the run dir: the run dir (its `pid`,
 * `exit` and logs) belongs to root and is closed to others (0700, under a 0700 `runs/`),
 * and the job works in `<run dir>/work`, which it owns. The wrapper enters that directory
 * while still root, so the job's user needs no access to the directories above it.
 * `setpriv` makes the switch: the user's uid, primary group and supplementary groups
 * (`--init-groups`, as su, runuser and a Mesos agent do; Node's own spawn uid/gid would
 * drop the supplementary groups), and no capabilities left.
 */
import type { HostUsers } from '../../core/types.js';
import { dataDirOpenToOthers } from './data-dir-access.js';
import { hostUsersOf, readUserAccounts, type UserAccount, type UserAccounts } from './user-accounts.js';

/** The job's working directory inside its run dir when it runs as another user. */
export const WORK_DIR = 'work';

/**
 * The job's environment never passes through root: the wrapper and setpriv run with the
 * server's, and a job's LD_PRELOAD or PATH would act on them as root. The launcher writes it
 * to the run dir (`.job.env`, 0600), the wrapper opens that on fd 3, and the job's shell,
 * already the job's user, reads it from there and execs the job.
 */
export const ENV_FROM_FD3 = 'eval "$(cat <&3)" && exec 3<&- && exec "$@"';

/** `export NAME='value'` lines, which sh reads back exactly (line breaks and quotes included). */
export function jobEnvText(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid environment variable name ${JSON.stringify(name)}`);
      return `export ${name}='${value.replaceAll("'", "'\\''")}'\n`;
    })
    .join('');
}

export interface RunIdentity {
  account: UserAccount;
  /** The user's supplementary groups, beside its primary one. */
  groups: readonly number[];
  /** setpriv and its options: goes before the job's argv. */
  switchCommand: string[];
}

export type IdentityChoice = { ok: true; identity: RunIdentity | null } | { ok: false; reason: string };

/** Why jobs cannot run as `user` by default (`--run-as`), or null. */
export function defaultUserProblem(accounts: UserAccounts, user: string): string | null {
  if (user === accounts.self.name) return null;
  if (accounts.cannotSwitch !== null) return `the server runs as "${accounts.self.name}" and cannot run jobs as another user: ${accounts.cannotSwitch}`;
  if (!accounts.byName.has(user)) return `there is no user "${user}" on this host`;
  return null;
}

/**
 * This host's users read, the default user checked (throws when jobs cannot run as it), and
 * the operator warned of what is open: jobs running as root, a data dir other users can read.
 */
export function openRunAs(defaultUser: string | undefined, dataDir: string, warn: (message: string) => void): RunAs {
  const accounts = readUserAccounts();
  const runAs = new RunAs(accounts, defaultUser);
  if (runAs.jobsRunAsRootByDefault) warn('the server runs as root, and so do jobs that name no user: give a default user to run them as (--run-as)');
  if (accounts.cannotSwitch === null && dataDirOpenToOthers(dataDir)) {
    warn(`the data dir ${dataDir} is open to other users, so jobs that run as them may read the store in it: chmod 700 it`);
  }
  return runAs;
}

export class RunAs {
  private readonly defaultUser: string;
  /** What the core checks jobs' `user` against. */
  readonly hostUsers: HostUsers;

  /** Throws when the default user cannot be used. */
  constructor(
    private readonly accounts: UserAccounts,
    defaultUser: string | undefined,
  ) {
    const problem = defaultUser === undefined ? null : defaultUserProblem(accounts, defaultUser);
    if (problem !== null) throw new Error(`cannot run jobs as "${defaultUser}" by default: ${problem}`);
    this.defaultUser = defaultUser ?? accounts.self.name;
    this.hostUsers = hostUsersOf(accounts);
  }

  /** Jobs that name no user run as root: the server is root and no default user was given. */
  get jobsRunAsRootByDefault(): boolean {
    return this.accounts.self.uid === 0 && this.defaultUser === this.accounts.self.name;
  }

  /** Who runs the job's command: null for the server's own user (no switch). */
  identityFor(jobUser: string | undefined): IdentityChoice {
    const name = jobUser ?? this.defaultUser;
    if (name === this.accounts.self.name) return { ok: true, identity: null };
    const problem = defaultUserProblem(this.accounts, name);
    const account = this.accounts.byName.get(name);
    if (problem !== null || account === undefined || this.accounts.setpriv === null) {
      return { ok: false, reason: `cannot run the job as user "${name}": ${problem ?? 'this host cannot switch users'}` };
    }
    return {
      ok: true,
      identity: { account, groups: (this.accounts.groupsOf.get(name) ?? []).filter((gid) => gid !== account.gid), switchCommand: [this.accounts.setpriv, `--reuid=${account.uid}`, `--regid=${account.gid}`, '--init-groups', '--'] },
    };
  }
}
