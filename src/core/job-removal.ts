/**
 * Deleting a job: its unfinished runs are stopped and its history goes with it. While other
 * jobs depend on it (`after`, or a trigger) it is refused, naming them; with `force` they lose
 * the reference instead, in the same batch.
 */
import { conflict, notFound, ok, specsOf } from './command-results.js';
import { persist, type Ctx } from './context.js';
import { announceJob } from './firing.js';
import { referrers, relinkParents, withoutReferencesTo } from './graph.js';
import { commit, prepare } from './job-commit.js';
import { removeFromOrder } from './job-order.js';
import { stop } from './runs.js';
import type { CommandResult } from './types.js';

export function deleteJob(ctx: Ctx, name: string, force: boolean): CommandResult<'delete-job'> {
  const entry = ctx.s.jobs.get(name);
  if (!entry) return notFound(`job ${name}`);
  const specs = specsOf(ctx);
  const users = referrers(specs, name);
  if (users.length > 0 && !force) {
    return conflict(`job ${name} is needed by ${users.join(', ')} (after or triggers): change those first, or delete with ?force=true to remove ${name} from them`);
  }
  for (const user of users) {
    const changed = prepare(ctx, withoutReferencesTo(specs.get(user)!, name));
    if ('error' in changed) return changed.error;
    commit(ctx, changed);
  }
  for (const id of [...entry.active]) {
    const run = ctx.s.runs.get(id);
    if (run) stop(ctx, run, 'job deleted');
  }
  ctx.s.jobs.delete(name);
  removeFromOrder(ctx.s.jobOrder, name);
  relinkParents(ctx.s.children, name, entry.stored.spec.after, []);
  ctx.s.children.delete(name);
  persist(ctx, { op: 'delete-job', name });
  announceJob(ctx, name, 'deleted');
  return ok('delete-job', { deleted: name, changed: users });
}
