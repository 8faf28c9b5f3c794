/** `--run-as`: checked before anything starts, so a user jobs cannot run as is a one-line error. */
import { defaultUserProblem, readUserAccounts } from '../backends/local/index.js';
import { USER_NAME_PATTERN } from '../core/job-spec.js';
import { CliError } from './cli-error.js';

/** The default user of local jobs, or undefined when none is given. */
export function runAsSetting(backend: string, user: string | undefined): string | undefined {
  if (user === undefined) return undefined;
  if (backend !== 'local') throw new CliError(`--run-as is for the local backend; on Mesos, jobs that name no user run as --mesos-user`);
  if (user.length > 32 || !USER_NAME_PATTERN.test(user)) throw new CliError(`--run-as must be a user name such as nobody, not "${user}"`);
  const problem = defaultUserProblem(readUserAccounts(), user);
  if (problem !== null) throw new CliError(`--run-as ${user}: ${problem}`);
  return user;
}
