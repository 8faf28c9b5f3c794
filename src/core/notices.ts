/**
 * Who hears of what, decided in update(): a notice per (event, owner, channel), put in the
 * outbox in the same transaction as the run change that caused it, and handed to the notifier.
 *
 * The job's owners hear of it, narrowed by the job's `notify.on<Kind>` list when it names
 * owners ("owner", or an empty list, means all of them), and by each owner's own settings:
 * `notifyOn`, `mute` (also until a time), `optOut`. `failure` is any failed attempt; the last
 * one of a job whose retries were used up is `retriesExhausted`, and an owner listening to
 * either hears it once. A success after a failure is a `recovery` (a `success` to owners who
 * hear only of those).
 */
import { emit, nextNoticeId, persist, type Ctx } from './context.js';
import { isMuted } from './owner-spec.js';
import type { JobSpec, Notice, NoticeFacts, NoticeKind, NoticeTarget, OwnerSpec, Run } from './types.js';

export interface NoticeEvent {
  kind: Exclude<NoticeKind, 'test'>;
  /** A failure that is final (no retry follows): `retriesExhausted` for owners who listen to that. */
  final?: boolean;
  spec: JobSpec;
  run: Run | null;
  waiting?: string[];
  sla?: NoticeFacts['sla'];
  /** PagerDuty only: close the incident this event's kind opened. */
  resolve?: boolean;
}

const NOTIFY_LIST: Record<NoticeEvent['kind'], keyof JobSpec['notify']> = {
  failure: 'onFailure',
  retriesExhausted: 'onRetriesExhausted',
  recovery: 'onRecovery',
  late: 'onLate',
  success: 'onSuccess',
};

/** Decide and queue the notices an event causes. */
export function notify(ctx: Ctx, event: NoticeEvent): void {
  for (const owner of recipients(ctx, event)) {
    const heard = hearing(owner, event);
    if (heard === null) continue;
    const facts = factsOf(ctx, event, heard.kind, owner.name);
    const targets = targetsOf(owner, facts, event.resolve === true).filter((t) => !heard.incidentOnly || t.channel === 'pagerduty');
    for (const target of targets) queue(ctx, { id: nextNoticeId(ctx), target, facts });
  }
}

/** A job's own webhook trigger: not an owner's notice, but delivered (and retried) the same way. */
export function notifyWebhook(ctx: Ctx, event: NoticeEvent, webhook: { url: string; secret?: string | undefined }): void {
  const facts = factsOf(ctx, event, event.kind, null);
  queue(ctx, { id: nextNoticeId(ctx), target: { channel: 'webhook', url: webhook.url, secret: webhook.secret ?? null }, facts });
}

function queue(ctx: Ctx, notice: Notice): void {
  persist(ctx, { op: 'put-notice', notice });
  ctx.s.outbox.add(notice.id);
  emit(ctx, { type: 'deliver-notices', notices: [notice] });
}

function recipients(ctx: Ctx, event: NoticeEvent): OwnerSpec[] {
  const { spec } = event;
  const named = spec.notify[NOTIFY_LIST[event.kind]];
  const everyOwner = named.length === 0 || named.includes('owner');
  const names = everyOwner ? spec.owners : spec.owners.filter((o) => named.includes(o));
  return names.flatMap((name) => {
    const owner = ctx.s.owners.get(name)?.spec;
    if (!owner || isMuted(owner, ctx.now) || owner.optOut.includes(spec.name)) return [];
    return [owner];
  });
}

/**
 * The kind this owner gets for the event, or null when it listens to none that fits. An owner
 * told of failures but not of recoveries still gets its PagerDuty incident resolved.
 */
function hearing(owner: OwnerSpec, event: NoticeEvent): { kind: NoticeKind; incidentOnly: boolean } | null {
  if (event.kind === 'failure' && event.final) {
    const exhausted = (event.run?.attempt ?? 1) > 1;
    const heard = owner.notifyOn.includes('failure') || owner.notifyOn.includes('retriesExhausted');
    return heard ? { kind: exhausted ? 'retriesExhausted' : 'failure', incidentOnly: false } : null;
  }
  if (owner.notifyOn.includes(event.kind)) return { kind: event.kind, incidentOnly: false };
  // A recovery is a success too, for those who hear of successes only.
  if (event.kind === 'recovery' && owner.notifyOn.includes('success')) return { kind: 'success', incidentOnly: false };
  const toldOfFailures = owner.notifyOn.includes('failure') || owner.notifyOn.includes('retriesExhausted');
  return event.kind === 'recovery' && toldOfFailures ? { kind: 'recovery', incidentOnly: true } : null;
}

function factsOf(ctx: Ctx, event: NoticeEvent, kind: NoticeKind, owner: string | null): NoticeFacts {
  const run = event.run;
  return {
    kind,
    job: event.spec.name,
    owner,
    run: run && {
      id: run.id,
      attempt: run.attempt,
      status: run.status,
      trigger: run.trigger,
      exitCode: run.exitCode,
      reason: run.reason,
      agent: run.agent,
      scheduledAt: run.scheduledAt,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
    },
    waiting: event.waiting ?? [],
    sla: event.sla ?? null,
    at: ctx.now,
  };
}

/**
 * Each channel the owner has. PagerDuty gets incidents only: one per job for failures (a
 * recovery resolves it), one per run for a late run (resolved when it ends).
 */
export function targetsOf(owner: OwnerSpec, facts: NoticeFacts, resolve = false): NoticeTarget[] {
  const targets: NoticeTarget[] = [];
  const incidentOnly = resolve && facts.kind === 'late';
  if (!incidentOnly) {
    if (owner.email.length > 0) targets.push({ channel: 'email', to: owner.email });
    if (owner.slackWebhook) targets.push({ channel: 'slack', url: owner.slackWebhook });
    if (owner.webhook) {
      const hook = typeof owner.webhook === 'string' ? { url: owner.webhook, secret: null } : { url: owner.webhook.url, secret: owner.webhook.secret ?? null };
      targets.push({ channel: 'webhook', ...hook });
    }
  }
  const incident = pagerdutyIncident(facts, resolve);
  if (owner.pagerdutyRoutingKey && incident) targets.push({ channel: 'pagerduty', routingKey: owner.pagerdutyRoutingKey, ...incident });
  return targets;
}

function pagerdutyIncident(facts: NoticeFacts, resolve: boolean): { action: 'trigger' | 'resolve'; dedupKey: string } | null {
  const perJob = `moroccron:${facts.job}`;
  switch (facts.kind) {
    case 'failure':
    case 'retriesExhausted':
      return { action: 'trigger', dedupKey: perJob };
    case 'recovery':
      return { action: 'resolve', dedupKey: perJob };
    case 'late':
      return facts.run ? { action: resolve ? 'resolve' : 'trigger', dedupKey: `${perJob}:late:${facts.run.id}` } : null;
    case 'test':
      return { action: 'trigger', dedupKey: `${perJob}:test:${facts.at}` };
    case 'success':
      return null;
  }
}

/** A test notice on every channel of an owner (`POST /owners/{name}/test`): sent at once, not through the outbox. */
export function testNotices(owner: OwnerSpec, now: number, id: (i: number) => string): Notice[] {
  const facts: NoticeFacts = { kind: 'test', job: '(test)', owner: owner.name, run: null, waiting: [], sla: null, at: now };
  return targetsOf(owner, facts).map((target, i) => ({ id: id(i), target, facts }));
}
