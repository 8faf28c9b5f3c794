/**
 * Generic webhooks: a JSON POST of the notice's facts.
 *
 * Headers:
 *   X-Moroccron-Event:     the kind (failure, retriesExhausted, recovery, late, success, test)
 *   X-Moroccron-Delivery:  the notice id; the same on every retry of a notice, so receivers can drop repeats
 *   X-Moroccron-Timestamp: unix seconds when this attempt was sent
 *   X-Moroccron-Signature: sha256=<hex>, only when the target has a secret
 *
 * Verifying a delivery (receivers): compute HMAC-SHA256 with the shared secret over the bytes
 *   `${X-Moroccron-Timestamp}.${raw request body}`
 * hex-encode it, and compare it with the part after `sha256=` in constant time (e.g.
 * crypto.timingSafeEqual). Reject timestamps more than a few minutes old, which stops replays:
 * the timestamp is inside the signed bytes, so it cannot be changed without the secret.
 */
import { createHmac } from 'node:crypto';
import { postJson } from '../http-post.js';
import { isoTime } from '../render.js';
import type { Channel, Delivery, TargetOf } from './channel.js';

export const sendWebhook: Channel<'webhook'> = async (delivery) => {
  const body = JSON.stringify(webhookBody(delivery));
  const timestamp = String(Math.floor(delivery.now / 1000));
  const headers: Record<string, string> = {
    'x-moroccron-event': delivery.notice.facts.kind,
    'x-moroccron-delivery': delivery.notice.id,
    'x-moroccron-timestamp': timestamp,
  };
  if (delivery.target.secret) headers['x-moroccron-signature'] = `sha256=${signWebhook(delivery.target.secret, timestamp, body)}`;
  return postJson({ url: delivery.target.url, body, headers, timeoutMs: delivery.timeoutMs, signal: delivery.signal });
};

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The facts as the API shows runs: ISO 8601 times. */
export function webhookBody({ notice, message }: Delivery<TargetOf<'webhook'>>) {
  const { facts } = notice;
  const run = facts.run;
  return {
    id: notice.id,
    kind: facts.kind,
    summary: message.title,
    job: facts.job,
    owner: facts.owner,
    run: run && {
      id: run.id,
      attempt: run.attempt,
      status: run.status,
      trigger: run.trigger,
      exitCode: run.exitCode,
      reason: run.reason,
      agent: run.agent,
      scheduledAt: isoTime(run.scheduledAt),
      startedAt: isoTime(run.startedAt),
      finishedAt: isoTime(run.finishedAt),
    },
    waiting: facts.waiting,
    sla: facts.sla,
    at: isoTime(facts.at),
    link: message.link,
    stderrTail: message.stderr?.available ? message.stderr.lines : null,
  };
}
