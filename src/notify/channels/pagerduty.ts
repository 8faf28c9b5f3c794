/**
 * PagerDuty Events API v2. The target fixes the action and the dedup key: one incident per job
 * for failures (resolved by its recovery), one per run for `late` (resolved when the run ends).
 */
import type { NoticeKind } from '../../core/types.js';
import { postJson } from '../http-post.js';
import type { RenderedNotice } from '../render.js';
import { isoTime, stderrText } from '../render.js';
import type { Channel, Delivery, TargetOf } from './channel.js';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

const SUMMARY_MAX = 1024;

const SEVERITY: Record<NoticeKind, 'critical' | 'error' | 'warning' | 'info'> = {
  failure: 'error',
  retriesExhausted: 'critical',
  late: 'warning',
  recovery: 'info',
  success: 'info',
  test: 'info',
};

export function pagerdutyChannel(url: string = PAGERDUTY_EVENTS_URL): Channel<'pagerduty'> {
  return (delivery) => postJson({ url, body: JSON.stringify(pagerdutyEvent(delivery)), timeoutMs: delivery.timeoutMs, signal: delivery.signal });
}

export function pagerdutyEvent({ notice, target, message }: Delivery<TargetOf<'pagerduty'>>) {
  const base = { routing_key: target.routingKey, event_action: target.action, dedup_key: target.dedupKey };
  // A resolve needs only the key; PagerDuty ignores a payload on it.
  if (target.action === 'resolve') return base;
  const { facts } = notice;
  return {
    ...base,
    payload: {
      summary: message.title.slice(0, SUMMARY_MAX),
      source: facts.run?.agent ?? 'moroccron',
      severity: SEVERITY[facts.kind],
      timestamp: isoTime(facts.at),
      ...(facts.job ? { component: facts.job } : {}),
      ...(facts.owner ? { group: facts.owner } : {}),
      class: facts.kind,
      custom_details: customDetails(message, notice.id),
    },
    client: 'moroccron',
    ...(message.link ? { client_url: message.link, links: [{ href: message.link, text: 'Open in moroccron' }] } : {}),
  };
}

function customDetails(message: RenderedNotice, noticeId: string): Record<string, string> {
  const details: Record<string, string> = {};
  for (const field of message.fields) details[field.label.toLowerCase().replace(/ /g, '_')] = field.value;
  if (message.waiting.length > 0) details.waiting = message.waiting.join(', ');
  if (message.stderr) details.stderr_tail = stderrText(message.stderr);
  details.notice_id = noticeId;
  return details;
}
