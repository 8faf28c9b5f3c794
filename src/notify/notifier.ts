/**
 * The outbox deliverer: interprets the core's notices. Each notice handed over is sent on its
 * channel off the loop, retried with backoff while the process leads, and reported once it
 * lands (onDelivered) or can never land (onGaveUp); the leader then removes it from the outbox.
 */
import { pino } from 'pino';
import type { Notice } from '../core/types.js';
import { DEFAULT_BACKOFF, retryDelay } from './backoff.js';
import { openChannels, type Channels } from './channels/index.js';
import {
  NOTICE_CHANNELS,
  type BackoffSettings,
  type DeliveryResult,
  type NoticeChannel,
  type NotifierLog,
  type NotifierOptions,
  type SendOutcome,
} from './options.js';
import { isFailureNotice, renderNotice, type RenderedNotice } from './render.js';
import { SettledNotices, type Settlement } from './settled-notices.js';
import { readStderrTailSafely } from './stderr-tail.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_CONCURRENCY = 16;
const SETTLED_MEMORY = 10_000;

interface Entry {
  notice: Notice;
  failures: number;
  retryTimer: NodeJS.Timeout | null;
}

export class Notifier {
  private readonly entries = new Map<string, Entry>();
  /** Entries due for an attempt, waiting for a free slot, oldest first. */
  private readonly ready: Entry[] = [];
  private active = 0;
  private readonly attempts = new Set<Promise<void>>();
  private readonly settled = new SettledNotices(SETTLED_MEMORY);
  private readonly closing = new AbortController();
  private readonly channels: Channels;
  private readonly log: NotifierLog;
  private readonly backoff: BackoffSettings;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly options: NotifierOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.channels = openChannels(options.channels, this.timeoutMs);
    this.log = options.log ?? pino({ enabled: false });
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
    this.now = options.now ?? Date.now;
  }

  /**
   * Hands notices over; returns at once. A notice already being sent or retried is not sent
   * again; one that ended a moment ago is reported again without being sent.
   */
  deliver(notices: readonly Notice[]): void {
    if (this.closed) return;
    for (const notice of notices) {
      if (this.entries.has(notice.id)) continue;
      const settlement = this.settled.get(notice.id);
      if (settlement) {
        queueMicrotask(() => this.report(notice.id, settlement));
        continue;
      }
      const entry: Entry = { notice, failures: 0, retryTimer: null };
      this.entries.set(notice.id, entry);
      this.ready.push(entry);
    }
    // Not now: the caller is the scheduler's loop, and a send starts with reading a log.
    if (this.ready.length > 0) setImmediate(() => this.pump());
  }

  /** Notices handed over and not yet delivered or given up, per channel. */
  pending(): Record<NoticeChannel, number> {
    const counts = Object.fromEntries(NOTICE_CHANNELS.map((c) => [c, 0])) as Record<NoticeChannel, number>;
    for (const { notice } of this.entries.values()) counts[notice.target.channel] += 1;
    return counts;
  }

  /**
   * Sends one notice now, once, without retries or the outbox callbacks, and answers whether
   * its channel took it: for `POST /owners/{name}/test`, where a person waits for the answer.
   */
  async sendOnce(notice: Notice): Promise<DeliveryResult> {
    const channel = notice.target.channel;
    if (this.closed) return { ok: false, retryable: true, reason: 'the notifier is closed', noticeId: notice.id, channel };
    const outcome = await this.attempt(notice);
    return { ...outcome, noticeId: notice.id, channel };
  }

  /** Stops retry timers and aborts sends in flight; resolves when those have ended. No callback runs after it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.entries.values()) if (entry.retryTimer) clearTimeout(entry.retryTimer);
    this.entries.clear();
    this.ready.length = 0;
    this.closing.abort();
    this.channels.close();
    await Promise.allSettled([...this.attempts]);
  }

  private enqueue(entry: Entry): void {
    this.ready.push(entry);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.active < this.concurrency && this.ready.length > 0) {
      const entry = this.ready.shift()!;
      this.active += 1;
      const attempt = this.deliverEntry(entry)
        .catch((error: unknown) => this.log.error(this.fields(entry.notice, { err: error }), 'the notice delivery loop failed'))
        .finally(() => {
          this.active -= 1;
          this.attempts.delete(attempt);
          this.pump();
        });
      this.attempts.add(attempt);
    }
  }

  private async deliverEntry(entry: Entry): Promise<void> {
    const { notice } = entry;
    const outcome = await this.attempt(notice);
    if (this.closed) return;
    if (outcome.ok) {
      if (entry.failures > 0) this.log.info(this.fields(notice, { failures: entry.failures }), 'notice delivered after retries');
      this.settle(notice.id, { delivered: true });
    } else if (!outcome.retryable) {
      this.log.error(this.fields(notice, { reason: outcome.reason }), 'notice given up: retrying cannot help');
      this.settle(notice.id, { delivered: false, reason: outcome.reason });
    } else {
      entry.failures += 1;
      const delayMs = retryDelay(entry.failures, this.backoff);
      // The first failure and then every tenth: a receiver down for hours should not flood the log.
      if (entry.failures === 1 || entry.failures % 10 === 0) {
        this.log.warn(this.fields(notice, { reason: outcome.reason, failures: entry.failures, retryInMs: delayMs }), 'notice not delivered; retrying');
      }
      entry.retryTimer = setTimeout(() => {
        entry.retryTimer = null;
        this.enqueue(entry);
      }, delayMs);
    }
  }

  /** Renders (reading the stderr tail now) and sends once; counts the outcome. Never throws. */
  private async attempt(notice: Notice): Promise<SendOutcome> {
    const channel = notice.target.channel;
    let outcome: SendOutcome;
    try {
      const message = await this.render(notice);
      const delivery = { notice, target: notice.target, message, signal: this.closing.signal, timeoutMs: this.timeoutMs, now: this.now() };
      outcome = await this.channels.send(delivery);
    } catch (error) {
      outcome = { ok: false, retryable: true, reason: `unexpected error: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (outcome.ok) this.options.stats?.sent(channel);
    else this.options.stats?.failed(channel);
    return outcome;
  }

  private async render(notice: Notice): Promise<RenderedNotice> {
    const { facts } = notice;
    const stderr = isFailureNotice(facts) && facts.run
      ? await readStderrTailSafely(this.options.readStderrTail, facts.run.id, this.timeoutMs)
      : null;
    return renderNotice(notice, { uiUrl: this.options.uiUrl ?? null, stderr });
  }

  private settle(id: string, settlement: Settlement): void {
    this.entries.delete(id);
    this.settled.remember(id, settlement);
    this.report(id, settlement);
  }

  private report(id: string, settlement: Settlement): void {
    if (this.closed) return;
    try {
      if (settlement.delivered) this.options.onDelivered(id);
      else this.options.onGaveUp(id, settlement.reason);
    } catch (error) {
      this.log.error({ noticeId: id, err: error }, 'the notice outcome callback threw');
    }
  }

  private fields(notice: Notice, extra: Record<string, unknown>): Record<string, unknown> {
    return { noticeId: notice.id, channel: notice.target.channel, kind: notice.facts.kind, job: notice.facts.job, ...extra };
  }
}
