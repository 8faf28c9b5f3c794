import type { Notice, NoticeTarget } from '../../core/types.js';
import type { SendOutcome } from '../options.js';
import type { RenderedNotice } from '../render.js';

/** One attempt to send one notice on its target's channel. */
export interface Delivery<T extends NoticeTarget = NoticeTarget> {
  notice: Notice;
  target: T;
  message: RenderedNotice;
  /** Aborts the attempt when the notifier closes. */
  signal: AbortSignal;
  timeoutMs: number;
  now: number;
}

export type TargetOf<C extends NoticeTarget['channel']> = Extract<NoticeTarget, { channel: C }>;

export type Channel<C extends NoticeTarget['channel']> = (delivery: Delivery<TargetOf<C>>) => Promise<SendOutcome>;
