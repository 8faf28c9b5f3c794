/**
 * A local run's environment: the launcher's (the server's, less its own settings: see
 * launcher.ts), then the HOME, USER and LOGNAME of the user it switches to (if it does), then
 * the job's `env`, then moroccron's own variables for the run. This is what a run adds.
 */
import type { JobSpec, Run } from '../../core/types.js';
import type { RunIdentity } from './run-as.js';

export function runEnvironment(run: Run, spec: JobSpec, identity: RunIdentity | null): Record<string, string> {
  const user: Record<string, string> = identity === null ? {} : { HOME: identity.account.home, USER: identity.account.name, LOGNAME: identity.account.name };
  return {
    ...user,
    ...spec.env,
    MOROCCRON_RUN_ID: run.id,
    MOROCCRON_JOB: run.job,
    MOROCCRON_SCHEDULED_AT: new Date(run.scheduledAt).toISOString(),
    MOROCCRON_ATTEMPT: String(run.attempt),
  };
}
