/**
 * A local run's environment: the server's, less its own settings, then the HOME, USER and
 * LOGNAME of the user it switches to (if it does), then the job's `env`, then moroccron's own
 * variables for the run.
 */
import type { JobSpec, Run } from '../../core/types.js';
import type { RunIdentity } from './run-as.js';

/**
 * The server's settings (MOROCCRON_STORE with its password, MOROCCRON_SMTP_URL, a
 * MOROCCRON_TOKEN) are not the job's business: a job that needs one names it in its `env`.
 */
const SERVER_SETTING = /^MOROCCRON_/;

export function runEnvironment(run: Run, spec: JobSpec, identity: RunIdentity | null, inherited: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const user = identity === null ? {} : { HOME: identity.account.home, USER: identity.account.name, LOGNAME: identity.account.name };
  return {
    ...Object.fromEntries(Object.entries(inherited).filter(([name]) => !SERVER_SETTING.test(name))),
    ...user,
    ...spec.env,
    MOROCCRON_RUN_ID: run.id,
    MOROCCRON_JOB: run.job,
    MOROCCRON_SCHEDULED_AT: new Date(run.scheduledAt).toISOString(),
    MOROCCRON_ATTEMPT: String(run.attempt),
  };
}
