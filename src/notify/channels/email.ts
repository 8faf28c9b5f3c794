/** Email over SMTP (nodemailer): one message to all of the target's addresses, text and HTML. */
import { hostname } from 'node:os';
import { createTransport, type NodemailerError } from 'nodemailer';
import type { SendOutcome } from '../options.js';
import { stderrText, type RenderedNotice } from '../render.js';
import type { Channel } from './channel.js';

export interface EmailChannel {
  send: Channel<'email'>;
  close(): void;
}

export interface EmailSettings {
  smtpUrl?: string;
  mailFrom?: string;
  timeoutMs: number;
}

const NOT_CONFIGURED = 'email is not configured: the server has no SMTP URL (--smtp-url)';

// Errors without an SMTP reply that no retry can fix: the settings or the message are wrong.
const PERMANENT_CODES = new Set(['ECONFIG', 'ENOAUTH', 'EENVELOPE', 'EMAXRECIPIENTS']);

export function emailChannel(settings: EmailSettings): EmailChannel {
  const { smtpUrl } = settings;
  if (!smtpUrl) return { send: async () => ({ ok: false, retryable: false, reason: NOT_CONFIGURED }), close: () => {} };
  const transport = createTransport({
    url: smtpUrl,
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
  });
  const from = settings.mailFrom ?? `moroccron@${hostname()}`;
  return {
    async send({ notice, target, message }) {
      try {
        await transport.sendMail({
          from,
          to: target.to,
          subject: message.subject,
          text: message.text,
          html: emailHtml(message),
          // The notice id makes resends after an ambiguous failure recognisable as the same mail.
          messageId: `<${messageIdPart(notice.id)}@moroccron>`,
          headers: { 'X-Moroccron-Notice-Id': notice.id, 'X-Moroccron-Event': notice.facts.kind },
        });
        return { ok: true };
      } catch (error) {
        return smtpFailure(error as NodemailerError);
      }
    },
    close: () => transport.close(),
  };
}

function smtpFailure(error: NodemailerError): SendOutcome {
  const reason = `SMTP: ${error.response ?? error.message}`;
  if (error.responseCode !== undefined) {
    const permanent = error.permanent ?? (error.responseCode >= 500 && error.responseCode !== 503);
    return { ok: false, retryable: !permanent, reason };
  }
  return { ok: false, retryable: !PERMANENT_CODES.has(error.code ?? ''), reason };
}

/** A Message-ID's left part allows letters, digits and a few marks; anything else is encoded. */
function messageIdPart(id: string): string {
  return /^[A-Za-z0-9._-]+$/.test(id) ? id : Buffer.from(id).toString('base64url');
}

export function emailHtml(message: RenderedNotice): string {
  const rows = message.fields
    .map((f) => `<tr><th align="left" style="padding-right:1em">${escapeHtml(f.label)}</th><td>${escapeHtml(f.value)}</td></tr>`)
    .join('');
  const parts = [`<h2>${escapeHtml(message.title)}</h2>`, `<table>${rows}</table>`];
  if (message.waitingLine) parts.push(`<p><strong>${escapeHtml(message.waitingLine)}</strong></p>`);
  if (message.stderr) {
    parts.push('<h3>stderr (last lines)</h3>', `<pre style="background:#f4f4f4;padding:.5em">${escapeHtml(stderrText(message.stderr))}</pre>`);
  }
  if (message.link) parts.push(`<p><a href="${escapeHtml(message.link)}">Open in moroccron</a></p>`);
  return `<!doctype html><html><body>${parts.join('\n')}</body></html>`;
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
