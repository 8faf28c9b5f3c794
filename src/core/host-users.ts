/**
 * Which OS user a job may run as on the local backend's host. The server runs a job as
 * its `user` only by switching to it, which takes root: a server that is not root runs
 * every job as itself, and a root server can only switch to a user the host has. Both
 * are refused when the job is applied, rather than failing each of its runs.
 */
import type { FieldError } from './field-error.js';
import type { HostUsers, JobSpec } from './types.js';

/** Why this host cannot run the job as its `user`, named by field (`prefix` for lists). */
export function userProblems(spec: JobSpec, host: string, users: HostUsers, prefix = ''): FieldError[] {
  const user = spec.user;
  if (user === undefined || user === users.self) return [];
  const field = `${prefix}user`;
  if (users.cannotSwitch !== null) {
    return [{ field, message: `the server runs as "${users.self}" and cannot run jobs as another user (${users.cannotSwitch}); leave user out, or give "${users.self}"` }];
  }
  if (!users.known.includes(user)) {
    return [{ field, message: `there is no user "${user}" on this host (${host}); the local backend runs everything here` }];
  }
  return [];
}
