/** Slack incoming webhooks: `text` (the fallback for notifications) plus Block Kit blocks. */
import { postJson } from '../http-post.js';
import { stderrText, type RenderedNotice } from '../render.js';
import type { Channel } from './channel.js';

// Slack's limits: header text 150 characters, a section's text 3000, 10 fields per section.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELDS_MAX = 10;
const CODE_FENCE = '```';

export const sendSlack: Channel<'slack'> = (delivery) =>
  postJson({
    url: delivery.target.url,
    body: JSON.stringify(slackMessage(delivery.message)),
    timeoutMs: delivery.timeoutMs,
    signal: delivery.signal,
  });

export function slackMessage(message: RenderedNotice) {
  const blocks: object[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(message.title, HEADER_MAX), emoji: false } },
    {
      type: 'section',
      fields: message.fields.slice(0, FIELDS_MAX).map((f) => ({ type: 'mrkdwn', text: `*${f.label}*\n${escape(f.value)}` })),
    },
  ];
  if (message.stderr) {
    const room = SECTION_MAX - '*stderr (last lines)*\n'.length - 2 * CODE_FENCE.length;
    const tail = keepEnd(escape(stderrText(message.stderr)), room);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*stderr (last lines)*\n${CODE_FENCE}${tail}${CODE_FENCE}` } });
  }
  if (message.waitingLine) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*${escape(message.waitingLine)}*`, SECTION_MAX) } });
  }
  if (message.link) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in moroccron' }, url: message.link }] });
  }
  return { text: escape(message.title), blocks };
}

/** Slack's mrkdwn reads &, < and > as markup. */
const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const truncate = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** The end of a log is what explains the failure: cut from the front. */
const keepEnd = (s: string, max: number): string => (s.length <= max ? s : `…${s.slice(s.length - max + 1)}`);
