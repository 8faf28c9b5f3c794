import type { ChannelSettings, SendOutcome } from '../options.js';
import type { Delivery } from './channel.js';
import { emailChannel } from './email.js';
import { pagerdutyChannel } from './pagerduty.js';
import { sendSlack } from './slack.js';
import { sendWebhook } from './webhook.js';

/** Every channel behind one `send`, which picks the one the notice's target names. */
export interface Channels {
  send(delivery: Delivery): Promise<SendOutcome>;
  close(): void;
}

export function openChannels(settings: ChannelSettings, timeoutMs: number): Channels {
  const email = emailChannel({ ...settings, timeoutMs });
  const pagerduty = pagerdutyChannel(settings.pagerdutyUrl);
  return {
    send(delivery) {
      const { target } = delivery;
      switch (target.channel) {
        case 'email':
          return email.send({ ...delivery, target });
        case 'pagerduty':
          return pagerduty({ ...delivery, target });
        case 'slack':
          return sendSlack({ ...delivery, target });
        case 'webhook':
          return sendWebhook({ ...delivery, target });
        default: // a notice stored by a newer version
          return Promise.resolve({ ok: false, retryable: false, reason: `unknown channel "${(target as { channel: string }).channel}"` });
      }
    },
    close: () => email.close(),
  };
}
