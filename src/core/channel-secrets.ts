/**
 * Secrets in channels and triggers: an owner's PagerDuty routing key and Slack webhook URL
 * (whoever has one can page or post), the HMAC secret of an owner's or a trigger's webhook.
 * They leave the server as `***`, always; a `***` sent back keeps the value held, like a
 * hidden `env` value (env-redaction.ts), and one with nothing to keep is refused, named.
 */
import { HIDDEN_VALUE } from './hidden-value.js';
import type { FieldError } from './field-error.js';
import type { TriggerTarget } from './job-spec.js';
import type { JobSpec, OwnerSpec } from './types.js';

type Restored<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** The owner as it may be shown. */
export function hideOwnerSecrets(owner: OwnerSpec): OwnerSpec {
  const shown = { ...owner };
  if (shown.pagerdutyRoutingKey !== undefined) shown.pagerdutyRoutingKey = HIDDEN_VALUE;
  if (shown.slackWebhook !== undefined) shown.slackWebhook = HIDDEN_VALUE;
  if (typeof shown.webhook === 'object' && shown.webhook.secret !== undefined) shown.webhook = { ...shown.webhook, secret: HIDDEN_VALUE };
  return shown;
}

/** The owner as sent, each `***` replaced by what the stored owner holds. */
export function restoreOwnerSecrets(owner: OwnerSpec, stored: OwnerSpec | undefined, prefix = ''): Restored<OwnerSpec> {
  const errors: FieldError[] = [];
  const restored = { ...owner };
  const keep = <T>(field: string, sent: T | undefined, held: T | undefined): T | undefined => {
    if (sent !== HIDDEN_VALUE) return sent;
    if (held === undefined || held === HIDDEN_VALUE) errors.push({ field: `${prefix}${field}`, message: `${HIDDEN_VALUE} stands for a hidden value; give the real one` });
    return held;
  };
  restored.pagerdutyRoutingKey = keep('pagerdutyRoutingKey', owner.pagerdutyRoutingKey, stored?.pagerdutyRoutingKey);
  restored.slackWebhook = keep('slackWebhook', owner.slackWebhook, stored?.slackWebhook);
  if (typeof owner.webhook === 'object' && owner.webhook.secret === HIDDEN_VALUE) {
    const held = typeof stored?.webhook === 'object' && stored.webhook.url === owner.webhook.url ? stored.webhook.secret : undefined;
    restored.webhook = { ...owner.webhook, secret: keep('webhook.secret', owner.webhook.secret, held) };
  }
  for (const key of ['pagerdutyRoutingKey', 'slackWebhook'] as const) if (restored[key] === undefined) delete restored[key];
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: restored };
}

/** The job's trigger webhooks as they may be shown. */
export function hideTriggerSecrets(spec: JobSpec): JobSpec {
  const hide = (targets: TriggerTarget[]) => targets.map((t) => (typeof t === 'object' && t.secret !== undefined ? { ...t, secret: HIDDEN_VALUE } : t));
  const hidden = (list: TriggerTarget[]) => list.some((t) => typeof t === 'object' && t.secret !== undefined);
  if (!hidden(spec.triggers.onSuccess) && !hidden(spec.triggers.onFailure)) return spec;
  return { ...spec, triggers: { onSuccess: hide(spec.triggers.onSuccess), onFailure: hide(spec.triggers.onFailure) } };
}

/** Each `***` trigger secret replaced by the secret the stored job gives the same URL in the same list. */
export function restoreTriggerSecrets(spec: JobSpec, stored: JobSpec | undefined, prefix = ''): Restored<JobSpec> {
  const errors: FieldError[] = [];
  const restore = (list: 'onSuccess' | 'onFailure') =>
    spec.triggers[list].map((target, i) => {
      if (typeof target !== 'object' || target.secret !== HIDDEN_VALUE) return target;
      const held = stored?.triggers[list].find((t) => typeof t === 'object' && t.url === target.url);
      const secret = typeof held === 'object' ? held.secret : undefined;
      if (secret === undefined) errors.push({ field: `${prefix}triggers.${list}[${i}].secret`, message: `${HIDDEN_VALUE} stands for a hidden secret; give the real one` });
      return { ...target, secret };
    });
  const triggers = { onSuccess: restore('onSuccess'), onFailure: restore('onFailure') };
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { ...spec, triggers } };
}
