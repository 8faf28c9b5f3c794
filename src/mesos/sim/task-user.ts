/**
 * Whose task it is, as an agent run with `--switch_user` decides: CommandInfo.user, else
 * the framework's user. The agent gives that user the sandbox (0750) before anything runs
 * in it, and runs the command as it, with its primary group (the sim adds no
 * supplementary groups). When it cannot (no such user on the agent; an agent that is not
 * root) it removes the sandbox and drops the task: Mesos 1.12 answers TASK_DROPPED
 * (TASK_LOST to a framework that is not partition-aware), SOURCE_AGENT,
 * REASON_EXECUTOR_TERMINATED, with a message naming the user (slave/paths.cpp
 * createSandboxDirectory; slave_tests.cpp ROOT_RunTaskWithCommandInfoWithInvalidUser).
 */
import { chmodSync, chownSync, closeSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findUser } from '../../lib/passwd.js';
import type { FrameworkInfo, TaskInfo } from '../types.js';

export interface TaskOwner {
  uid: number;
  gid: number;
}

/** null: the task runs as the sim itself. */
export type SandboxOwnership = { ok: true; owner: TaskOwner | null } | { ok: false; message: string };

const STRERROR: Record<string, string> = { EPERM: 'Operation not permitted', EACCES: 'Permission denied' };

export function taskUser(info: TaskInfo, framework: FrameworkInfo): string {
  return info.command?.user ?? framework.user;
}

/** Hand the sandbox (and its stdout and stderr) to the task's user. */
export function giveSandbox(sandbox: string, user: string): SandboxOwnership {
  const account = findUser(user);
  try {
    chmodSync(sandbox, 0o750);
    if (account === undefined) return refuse(sandbox, user, `No such user '${user}'`);
    if (account.uid === process.getuid?.()) return { ok: true, owner: null };
    for (const log of ['stdout', 'stderr']) closeSync(openSync(join(sandbox, log), 'a'));
    for (const path of [sandbox, join(sandbox, 'stdout'), join(sandbox, 'stderr')]) chownSync(path, account.uid, account.gid);
    return { ok: true, owner: { uid: account.uid, gid: account.gid } };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    return refuse(sandbox, user, STRERROR[code] ?? (e as Error).message);
  }
}

function refuse(sandbox: string, user: string, why: string): SandboxOwnership {
  rmSync(sandbox, { recursive: true, force: true });
  return { ok: false, message: `Failed to create executor directory '${sandbox}': Failed to chown directory to '${user}': ${why}` };
}
