/**
 * How an owner's contacts are shown without their secrets: a PagerDuty routing key and a
 * Slack webhook URL let anyone post as the owner, and a webhook's secret signs its bodies.
 */
import type { NoticeKind } from '../api/types';

/** The server sends secrets as `***`: say one is set, never what it is. */
const HIDDEN = '***';

/** "••••a1b2" for a key the client holds; "set (hidden)" for one the server hid. */
export const maskKey = (key: string): string => (key === HIDDEN ? 'set (hidden)' : `••••${key.slice(-4)}`);

/** Slack's incoming-webhook path is the credential: show only where it goes. */
export function slackTarget(url: string): string {
  if (url === HIDDEN) return 'incoming webhook (URL hidden)';
  try {
    return `${new URL(url).host} (incoming webhook)`;
  } catch {
    return 'a Slack webhook';
  }
}

/** A webhook's origin and path; its query may carry a token, so it is left out. */
export function webhookTarget(webhook: string | { url: string; secret?: string }): { where: string; signed: boolean } {
  const url = typeof webhook === 'string' ? webhook : webhook.url;
  const signed = typeof webhook !== 'string' && Boolean(webhook.secret);
  try {
    const parsed = new URL(url);
    return { where: `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`, signed };
  } catch {
    return { where: url, signed };
  }
}

export const NOTICE_KIND_WORDS: Record<NoticeKind, string> = {
  failure: 'each failure',
  retriesExhausted: 'retries used up',
  recovery: 'recovery',
  late: 'late runs (SLA)',
  success: 'success',
};

export const NOTICE_KINDS: NoticeKind[] = ['failure', 'retriesExhausted', 'recovery', 'late', 'success'];

export type MuteState = { muted: false; ended: string | null } | { muted: true; until: string | null };

export function muteState(mute: boolean | string, now: number): MuteState {
  if (mute === true) return { muted: true, until: null };
  if (mute === false) return { muted: false, ended: null };
  return Date.parse(mute) > now ? { muted: true, until: mute } : { muted: false, ended: mute };
}
