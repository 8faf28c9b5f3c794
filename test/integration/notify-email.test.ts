/**
 * Email notices against a real SMTP server in process (smtp-server), mail parsed with mailparser.
 *
 * Run: node --import tsx --test test/integration/notify-email.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually, failureFacts, LAST_STDERR_LINE, notice, recordingNotifier, SmtpReceiver, STDERR_LINES, UI_URL } from '../helpers/notice-receivers.js';

let smtp: SmtpReceiver;

before(async () => {
  smtp = await SmtpReceiver.start();
});
after(async () => {
  await smtp.stop();
});

const mailTo = (address: string) => smtp.mails.filter((m) => JSON.stringify(m.to).includes(address));

test('a failure email names the job, run, attempt, exit code, agent, stderr tail, waiting jobs and link, in text and HTML', async () => {
  const { notifier, delivered, sent } = recordingNotifier({ channels: { smtpUrl: smtp.url, mailFrom: 'cron@example.com' } });
  const failure = notice({ channel: 'email', to: ['oncall@example.com', 'lead@example.com'] });
  notifier.deliver([failure]);
  await eventually('the delivery', () => delivered.includes(failure.id));
  await notifier.close();

  const [mail] = mailTo('oncall@example.com');
  assert.ok(mail);
  assert.equal(mail.subject, '[moroccron] FAILED nightly-report (run run-0mj7, attempt 2): exit code 3');
  assert.equal(mail.from?.text, 'cron@example.com');
  assert.deepEqual(
    [mail.to].flat().flatMap((a) => a?.value.map((v) => v.address)),
    ['oncall@example.com', 'lead@example.com'],
  );
  assert.equal(mail.messageId, `<${failure.id}@moroccron>`);
  assert.equal(mail.headers.get('x-moroccron-notice-id'), failure.id);
  assert.equal(mail.headers.get('x-moroccron-event'), 'failure');
  assert.deepEqual(sent, ['email']);

  const html = typeof mail.html === 'string' ? mail.html : '';
  for (const body of [mail.text ?? '', html]) {
    assert.match(body, /nightly-report/);
    assert.match(body, /run-0mj7/);
    assert.match(body, /Exit code.*3/s);
    assert.match(body, /agent-7/);
    assert.match(body, new RegExp(LAST_STDERR_LINE));
    assert.match(body, /Now waiting on it: publish, archive/);
    assert.ok(body.includes(`${UI_URL}/runs/run-0mj7`), 'the link to the run');
  }
  // The last 20 lines, not more.
  assert.ok((mail.text ?? '').includes(STDERR_LINES[10]!));
  assert.ok(!(mail.text ?? '').includes(`${STDERR_LINES[9]!}\n`));
  assert.match(html, /<a href="http:\/\/ui\.example:8080\/runs\/run-0mj7">/);
});

test('a stderr that cannot be read is rendered as "(stderr not available)", and HTML is escaped', async () => {
  const { notifier, delivered } = recordingNotifier({
    channels: { smtpUrl: smtp.url },
    readStderrTail: async () => {
      throw new Error('no such log');
    },
  });
  const facts = failureFacts({ run: { ...failureFacts().run!, exitCode: null, reason: 'killed: <timeout> after 2h & more' } });
  const failure = notice({ channel: 'email', to: ['escape@example.com'] }, facts);
  notifier.deliver([failure]);
  await eventually('the delivery', () => delivered.includes(failure.id));
  await notifier.close();

  const [mail] = mailTo('escape@example.com');
  assert.ok(mail);
  assert.equal(mail.subject, '[moroccron] FAILED nightly-report (run run-0mj7, attempt 2): killed: <timeout> after 2h & more');
  assert.match(mail.text ?? '', /\(stderr not available\)/);
  assert.match(String(mail.html), /killed: &lt;timeout&gt; after 2h &amp; more/);
});

test('a permanent SMTP rejection (550) is given up; a temporary one (451) is retried until accepted', async () => {
  let temporaryRefusals = 2;
  smtp.refuseRecipient = (address) => {
    if (address === 'nobody@example.com') return { code: 550, message: 'no such mailbox' };
    if (address === 'busy@example.com' && temporaryRefusals > 0) {
      temporaryRefusals -= 1;
      return { code: 451, message: 'try again later' };
    }
    return null;
  };
  try {
    const { notifier, delivered, gaveUp, failed } = recordingNotifier({ channels: { smtpUrl: smtp.url } });
    const bounced = notice({ channel: 'email', to: ['nobody@example.com'] });
    const delayed = notice({ channel: 'email', to: ['busy@example.com'] });
    notifier.deliver([bounced, delayed]);
    await eventually('the give-up and the late delivery', () => gaveUp.length === 1 && delivered.length === 1);
    await notifier.close();

    assert.equal(gaveUp[0]!.id, bounced.id);
    assert.match(gaveUp[0]!.reason, /550.*no such mailbox/);
    assert.deepEqual(delivered, [delayed.id]);
    assert.equal(temporaryRefusals, 0);
    assert.deepEqual(failed, ['email', 'email', 'email'], 'one failed attempt for the bounce, two for the refusals');
    assert.equal(mailTo('busy@example.com').length, 1);
    assert.equal(mailTo('nobody@example.com').length, 0);
  } finally {
    smtp.refuseRecipient = () => null;
  }
});

test('an email notice without an SMTP URL is given up at once, with the reason', async () => {
  const { notifier, gaveUp, delivered } = recordingNotifier({ channels: {} });
  const orphan = notice({ channel: 'email', to: ['oncall@example.com'] });
  notifier.deliver([orphan]);
  await eventually('the give-up', () => gaveUp.length === 1);
  await notifier.close();
  assert.deepEqual(delivered, []);
  assert.equal(gaveUp[0]!.id, orphan.id);
  assert.match(gaveUp[0]!.reason, /email is not configured.*--smtp-url/);
});

test('an SMTP server that is down gets the mail once it is back', async () => {
  const late = await SmtpReceiver.start();
  await late.stop();
  const { notifier, delivered, failed } = recordingNotifier({ channels: { smtpUrl: late.url } });
  const waiting = notice({ channel: 'email', to: ['patient@example.com'] });
  notifier.deliver([waiting]);
  await eventually('a refused connection', () => failed.length >= 2);
  assert.deepEqual(notifier.pending().email, 1);
  await late.start();
  try {
    await eventually('the delivery', () => delivered.includes(waiting.id));
    assert.equal(late.mails.length, 1);
    assert.equal(notifier.pending().email, 0);
  } finally {
    await notifier.close();
    await late.stop();
  }
});
