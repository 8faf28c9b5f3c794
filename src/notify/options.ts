import type { Logger } from 'pino';
import type { NoticeTarget } from '../core/types.js';

export type NoticeChannel = NoticeTarget['channel'];

export const NOTICE_CHANNELS: readonly NoticeChannel[] = ['email', 'pagerduty', 'slack', 'webhook'];

/** How one attempt to send a notice ended. */
export type SendOutcome =
  | { ok: true }
  /** `retryable`: the same notice may land later (network, timeout, 408/429/5xx, SMTP 4xx). */
  | { ok: false; retryable: boolean; reason: string };

/** What `sendOnce` answers: whether this notice's channel took it. */
export type DeliveryResult = SendOutcome & { noticeId: string; channel: NoticeChannel };

export interface ChannelSettings {
  /** `smtp://host:25`, `smtps://user:pass@host:465`; without it, email notices are given up. */
  smtpUrl?: string;
  /** The From address; default `moroccron@<hostname>`. */
  mailFrom?: string;
  /** The PagerDuty Events API v2 endpoint; default PAGERDUTY_EVENTS_URL. */
  pagerdutyUrl?: string;
}

export interface BackoffSettings {
  /** Delay before the first retry. */
  firstMs: number;
  /** The delay doubles up to this. */
  maxMs: number;
}

/** Counters the lead wires to Prometheus. */
export interface NotifierStats {
  /** A notice landed on its channel. */
  sent(channel: NoticeChannel): void;
  /** One attempt failed (retried or given up). */
  failed(channel: NoticeChannel): void;
}

export type NotifierLog = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface NotifierOptions {
  channels: ChannelSettings;
  /** The web UI's base URL, for links to runs (`${uiUrl}/runs/<id>`). */
  uiUrl?: string;
  /** The last `lines` lines of a run's stderr; read at delivery time for failure notices. */
  readStderrTail(runId: string, lines: number): Promise<string[]>;
  /** The notice landed: the leader removes it from the outbox. */
  onDelivered(noticeId: string): void;
  /** Retrying cannot help (a 4xx, a permanent SMTP 5xx, an unconfigured channel): the leader removes it too. */
  onGaveUp(noticeId: string, reason: string): void;
  stats?: NotifierStats;
  log?: NotifierLog;
  /** Retry delays; default 1 s doubling to 5 min. */
  backoff?: BackoffSettings;
  /** Per request (HTTP, SMTP connect/greeting/idle, the stderr read); default 10 s. */
  timeoutMs?: number;
  /** Sends in flight at once, over all channels; default 16. */
  concurrency?: number;
  /** The clock for webhook timestamps; default Date.now. */
  now?: () => number;
}
