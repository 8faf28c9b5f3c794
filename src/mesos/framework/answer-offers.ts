/**
 * OFFERS: pack pending launches and answer every offer in the same message (offers are
 * never held, so none go stale across a disconnect or a RESCIND). Also keeps the
 * master's suppression in step with demand.
 */
import { pack } from '../offers/pack.js';
import { offerAttributes } from '../offers/read.js';
import type { Offer, OfferOperation, TaskInfo } from '../types.js';
import { log, reactTo, send, view, type Ctx } from './context.js';
import { runningPlacement } from './state.js';
import type { TaskLaunched } from './types.js';

export function onOffers(ctx: Ctx, offers: readonly Offer[]): void {
  const s = ctx.s;
  if (offers.length === 0) return;
  for (const offer of offers) {
    const seen = s.agents.has(offer.agent_id.value);
    s.agents.set(offer.agent_id.value, offerAttributes(offer));
    if (!seen) reactTo(ctx, s.config.onAgentSeen?.(view(ctx), offer));
  }
  if (s.reconciliation?.blocksOffers) {
    decline(ctx, offers.map((o) => o.id.value), s.tuning.refuseWhileReconciling);
    return;
  }
  const usable = offers.filter((o) => !s.blacklist.has(o.agent_id.value));
  const barred = offers.filter((o) => s.blacklist.has(o.agent_id.value)).map((o) => o.id.value);
  const result = pack(usable, [...s.pending.values()], runningPlacement(s));
  const launched: TaskLaunched[] = [];
  for (const launch of result.launches) {
    const taskInfos: TaskInfo[] = launch.tasks.map((p) => ({
      ...p.request.taskInfo,
      task_id: { value: p.request.taskId },
      agent_id: { value: launch.agentId },
      resources: p.resources,
    }));
    const operations: OfferOperation[] = [{ type: 'LAUNCH', launch: { task_infos: taskInfos } }];
    send(ctx, {
      type: 'ACCEPT',
      accept: { offer_ids: launch.offerIds.map((value) => ({ value })), operations, filters: { refuse_seconds: s.tuning.refuseAfterLaunch } },
    });
    for (const { request, ports } of launch.tasks) {
      s.pending.delete(request.taskId);
      s.tasks.set(request.taskId, {
        taskId: request.taskId,
        group: request.group,
        agentId: launch.agentId,
        hostname: launch.hostname,
        state: 'TASK_STAGING',
        healthy: null,
        confirmed: false,
        started: false,
        terminal: false,
        kill: null,
      });
      launched.push({ taskId: request.taskId, agentId: launch.agentId, hostname: launch.hostname, offerId: launch.offerIds[0]!, ports });
    }
  }
  const unused = [...result.unused, ...barred];
  if (unused.length > 0) {
    decline(ctx, unused, s.tuning.refuseUnusable);
    s.declinedSinceRevive = true;
  }
  for (const task of launched) reactTo(ctx, s.config.onTaskLaunched?.(view(ctx), task));
}

function decline(ctx: Ctx, offerIds: readonly string[], refuseSeconds: number): void {
  send(ctx, { type: 'DECLINE', decline: { offer_ids: offerIds.map((value) => ({ value })), filters: { refuse_seconds: refuseSeconds } } });
}

/**
 * After every message: SUPPRESS once when nothing is pending; REVIVE when demand is back
 * while suppressed, or when requests arrived (or the blacklist changed) after long-filtered
 * declines: REVIVE clears those filters, so the agents declined for an hour are offered again.
 */
export function settleSuppression(ctx: Ctx): void {
  const s = ctx.s;
  if (!s.connected) return;
  const roles = [...s.config.roles];
  if (s.pending.size === 0) {
    if (!s.suppressed) {
      send(ctx, { type: 'SUPPRESS', suppress: { roles } });
      s.suppressed = true;
    }
  } else if (s.suppressed || (s.demandChanged && s.declinedSinceRevive)) {
    send(ctx, { type: 'REVIVE', revive: { roles } });
    log(ctx, 'debug', 'reviving offers', { pending: s.pending.size });
    s.suppressed = false;
    s.declinedSinceRevive = false;
  }
  s.demandChanged = false;
}
