/** Claiming a run: the durable record, written before anything of it happens. */
import { persist, type Ctx } from './context.js';
import { addActive } from './state.js';
import { isTerminal, type Run } from './types.js';

/** Ask the store to claim a run; it takes part in scheduling only once the claim is confirmed. */
export function claim(ctx: Ctx, run: Run): void {
  ctx.s.claiming.set(run.id, run);
  if (!isTerminal(run.status)) {
    ctx.s.runs.set(run.id, run);
    const entry = ctx.s.jobs.get(run.job);
    if (entry) addActive(entry, run.id);
  }
  persist(ctx, { op: 'claim-run', run: { ...run } });
}
