export { Notifier } from './notifier.js';
export { DEFAULT_BACKOFF } from './backoff.js';
export { PAGERDUTY_EVENTS_URL } from './channels/pagerduty.js';
export { NOTICE_CHANNELS } from './options.js';
export type {
  BackoffSettings,
  ChannelSettings,
  DeliveryResult,
  NoticeChannel,
  NotifierLog,
  NotifierOptions,
  NotifierStats,
  SendOutcome,
} from './options.js';
