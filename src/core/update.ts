/**
 * update(state, message) -> [state, effects]: the scheduler's only decision point.
 * Deterministic and free of I/O and clocks; the loop feeds it one message at a time.
 */
import { emit, newCtx, persist, type Ctx } from './context.js';
import { handleCommand } from './commands.js';
import { release } from './dependencies.js';
import { fire, rescheduleFromCursor } from './firing.js';
import { childrenIndex } from './graph.js';
import { onSlaTimer, armSla } from './sla.js';
import { add } from './resources.js';
import {
  onClaimed,
  onDeadline,
  onExited,
  onLaunchFailed,
  onLost,
  onUnreachable,
  onUnreachableTooLong,
  onWaitExpired,
  onNotStarted,
  onPlaced,
  onStarted,
  place,
  resourcesOf,
} from './runs.js';
import { inNameOrder } from './job-order.js';
import { addActive, historyOf, jobEntry, type SchedulerState } from './state.js';
import { enqueue, makeDueOrWait, placementMayChange } from './waiting-line.js';
import { FRAMEWORK_ID_META, type Effect, type Message } from './types.js';

export function update(s: SchedulerState, message: Message): [SchedulerState, Effect[]] {
  s.now = Math.max(s.now, message.now);
  const ctx = newCtx(s, s.now);
  switch (message.type) {
    case 'boot':
      boot(ctx, message);
      break;
    case 'tick':
      // The shell's timer has fired (maybe a hair early): always answer with a fresh one.
      s.armedAt = null;
      break;
    case 'command':
      handleCommand(ctx, message.requestId, message.command, message.actor);
      break;
    case 'claimed':
      onClaimed(ctx, message.accepted, message.refused);
      break;
    case 'agents':
      s.agents = [...message.agents];
      break;
    case 'framework-id':
      s.frameworkId = message.frameworkId;
      persist(ctx, { op: 'put-meta', key: FRAMEWORK_ID_META, value: message.frameworkId ?? '' });
      break;
    case 'notice-done':
      if (s.outbox.delete(message.noticeId)) persist(ctx, { op: 'delete-notice', id: message.noticeId });
      break;
    case 'run-placed':
      onPlaced(ctx, message.runId, message.agent, message.taskId);
      break;
    case 'run-started':
      onStarted(ctx, message.runId, message.agent, message.taskId);
      break;
    case 'run-exited':
      onExited(ctx, message);
      break;
    case 'run-lost':
      onLost(ctx, message.runId, message.reason);
      break;
    case 'run-unreachable':
      onUnreachable(ctx, message.runId, message.agent, message.since, message.why);
      break;
    case 'run-not-started':
      onNotStarted(ctx, message.runId);
      break;
    case 'launch-failed':
      onLaunchFailed(ctx, message.runId, message.reason);
      break;
  }
  if (s.booted) {
    runDueTimers(ctx);
    place(ctx);
  }
  rearm(ctx);
  const effects: Effect[] = ctx.storeOps.length > 0 ? [{ type: 'store', ops: ctx.storeOps }, ...ctx.effects] : ctx.effects;
  return [s, effects];
}

function boot(ctx: Ctx, message: Extract<Message, { type: 'boot' }>): void {
  const s = ctx.s;
  s.booted = true;
  s.bootedAt = ctx.now;
  s.backend = message.backend;
  s.capacity = message.capacity;
  placementMayChange(ctx);
  s.agents = [...message.agents];
  s.blacklist = new Map(message.blacklist.map((e) => [e.agent, { ...e }]));
  s.frameworkId = message.frameworkId;
  s.owners = new Map(message.owners.map((o) => [o.spec.name, o]));
  s.idPrefix = message.idPrefix;
  for (const stored of message.jobs) {
    try {
      const entry = jobEntry({ ...stored });
      s.jobs.set(stored.spec.name, entry);
      rescheduleFromCursor(ctx, entry);
    } catch (e) {
      emit(ctx, { type: 'log', level: 'error', message: `job ${stored.spec.name} cannot be scheduled: ${(e as Error).message}` });
    }
  }
  s.jobOrder = inNameOrder(s.jobs.values());
  s.children = childrenIndex([...s.jobs.values()].map((e) => e.stored.spec));
  for (const run of message.activeRuns) {
    s.runs.set(run.id, run);
    const entry = s.jobs.get(run.job);
    if (entry) addActive(entry, run.id);
    armSla(ctx, run);
    if (run.status === 'queued') {
      makeDueOrWait(ctx, run);
    } else if (run.status === 'waiting') {
      if (entry) s.timers.push({ at: run.scheduledAt + entry.timing.misfireWindowMs, kind: 'wait-expiry', runId: run.id });
    } else {
      if (s.capacity) {
        const held = resourcesOf(entry?.stored.spec.resources ?? { cpus: 0, mem: 0, disk: 0, gpus: 0 });
        s.allocated.set(run.id, held);
        s.used = add(s.used, held);
      }
      if (run.deadline !== null) s.timers.push({ at: run.deadline, kind: 'deadline', runId: run.id });
      emit(ctx, { type: 'reattach', run: { ...run }, spec: entry?.stored.spec ?? null });
    }
  }
  // A leader that died between a parent's success and its children's release left that to us:
  // the same release again has the same key, so nothing runs twice.
  for (const entry of s.jobs.values()) release(ctx, entry);
  // The outbox of the leader before: delivered now, oldest first.
  for (const notice of message.notices) s.outbox.add(notice.id);
  if (message.notices.length > 0) emit(ctx, { type: 'deliver-notices', notices: message.notices });
  s.timers.push({ at: ctx.now + s.config.housekeepingIntervalMs, kind: 'housekeeping' });
}

function runDueTimers(ctx: Ctx): void {
  const s = ctx.s;
  for (let top = s.timers.peek(); top !== undefined && top.at <= ctx.now; top = s.timers.peek()) {
    s.timers.pop();
    switch (top.kind) {
      case 'job': {
        const entry = s.jobs.get(top.job);
        if (entry && entry.nextDue === top.at) fire(ctx, entry);
        break;
      }
      case 'run-due': {
        const run = s.runs.get(top.runId);
        if (run && run.status === 'queued') enqueue(ctx, run);
        break;
      }
      case 'deadline':
        onDeadline(ctx, top.runId, top.at);
        break;
      case 'unreachable':
        onUnreachableTooLong(ctx, top.runId, top.since);
        break;
      case 'wait-expiry':
        onWaitExpired(ctx, top.runId);
        break;
      case 'sla':
        onSlaTimer(ctx, top.runId, top.rule);
        break;
      case 'housekeeping':
        prune(ctx);
        s.toPrune.clear();
        s.timers.push({ at: ctx.now + s.config.housekeepingIntervalMs, kind: 'housekeeping' });
        break;
    }
  }
}

/** History beyond each job's limits, and old audit entries, go in the same fenced batch as everything else. */
function prune(ctx: Ctx): void {
  for (const name of ctx.s.toPrune) {
    const entry = ctx.s.jobs.get(name);
    if (entry) persist(ctx, { op: 'prune-runs', job: name, ...historyOf(entry.stored.spec, ctx.s.config), now: ctx.now });
  }
  // The audit log is kept as long as run history (the server's default age).
  persist(ctx, { op: 'prune-audit', before: ctx.now - ctx.s.config.defaultHistory.maxAgeMs });
}

/** Drop stale timers from the top and ask the shell to wake us at the earliest live one. */
function rearm(ctx: Ctx): void {
  const s = ctx.s;
  for (let top = s.timers.peek(); top !== undefined && isStale(s, top); top = s.timers.peek()) s.timers.pop();
  const at = s.timers.peek()?.at ?? null;
  if (at !== s.armedAt) {
    s.armedAt = at;
    emit(ctx, { type: 'set-timer', at });
  }
}

function isStale(s: SchedulerState, timer: NonNullable<ReturnType<SchedulerState['timers']['peek']>>): boolean {
  switch (timer.kind) {
    case 'job':
      return s.jobs.get(timer.job)?.nextDue !== timer.at;
    case 'run-due':
      return s.runs.get(timer.runId)?.status !== 'queued';
    case 'deadline':
      return s.runs.get(timer.runId)?.deadline !== timer.at;
    case 'unreachable':
      return s.unreachable.get(timer.runId) !== timer.since;
    case 'wait-expiry':
      return s.runs.get(timer.runId)?.status !== 'waiting';
    case 'sla': {
      const run = s.runs.get(timer.runId);
      return run === undefined || run.late;
    }
    case 'housekeeping':
      return false;
  }
}
