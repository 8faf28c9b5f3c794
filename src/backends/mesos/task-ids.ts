/**
 * Mesos task IDs derive from the run: `moroccron.<job>.<runId>`. A retry is a run of its
 * own, so run ID + attempt are both in it; after any restart the leader maps every task
 * the master reports back to its run.
 */
import type { Run } from '../../core/types.js';

const PREFIX = 'moroccron.';

export const taskIdOf = (run: Pick<Run, 'job' | 'id'>): string => `${PREFIX}${run.job}.${run.id}`;

export const isOurTask = (taskId: string): boolean => taskId.startsWith(PREFIX) && taskId.lastIndexOf('.') > PREFIX.length;

/** Run IDs have no dots (job names may), so the run ID is what follows the last dot. */
export const runIdOf = (taskId: string): string | null => (isOurTask(taskId) ? taskId.slice(taskId.lastIndexOf('.') + 1) : null);
