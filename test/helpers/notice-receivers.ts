/**
 * Real receivers for notices, on loopback: an SMTP server (smtp-server, mail parsed with
 * mailparser) and HTTP receivers standing in for PagerDuty, Slack and webhooks. Each records
 * what arrived and answers as the test says; both can go down and come back on the same port.
 * Also: notice fixtures and a Notifier wired to recording callbacks.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Notice, NoticeFacts, NoticeTarget } from '../../src/core/types.js';
import { Notifier, type NoticeChannel, type NotifierOptions } from '../../src/notify/index.js';
import { freePort } from './free-port.js';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a value other than undefined/false, or fails after timeoutMs. */
export async function eventually<T>(what: string, check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

// ---------------------------------------------------------------------------------------
// HTTP

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  body: string;
  json: unknown;
}

export type HttpAnswer = { status: number; body?: string };

/**
 * An HTTP receiver on 127.0.0.1. `answer` decides each reply (default 200 "ok"); it is called
 * with the number of the request (1-based). `stop()` closes the port (connections are then
 * refused) and `start()` opens the same port again.
 */
export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  answer: (requestNumber: number, request: ReceivedRequest) => HttpAnswer | Promise<HttpAnswer> = () => ({ status: 200, body: 'ok' });
  private server: Server | null = null;
  private portNumber = 0;

  static async start(): Promise<HttpReceiver> {
    const receiver = new HttpReceiver();
    // Below the ephemeral range: a receiver stopped and started again gets its port back.
    receiver.portNumber = await freePort();
    await receiver.start();
    return receiver;
  }

  /** A receiver with a port reserved but not listening: connections are refused until start(). */
  static async down(): Promise<HttpReceiver> {
    const receiver = await HttpReceiver.start();
    await receiver.stop();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.portNumber}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const request: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json: parseJson(body) };
        this.requests.push(request);
        void Promise.resolve(this.answer(this.requests.length, request)).then((answer) => {
          res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body ?? '');
        });
      });
    });
    server.listen(this.portNumber, '127.0.0.1');
    await once(server, 'listening');
    this.portNumber = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------
// SMTP

export interface SmtpRefusal {
  code: number;
  message: string;
}

/**
 * An SMTP server on 127.0.0.1 without TLS or auth. `refuseRecipient`, when it returns a
 * refusal, answers RCPT TO with that code (550: permanent; 451: try again later).
 */
export class SmtpReceiver {
  readonly mails: ParsedMail[] = [];
  refuseRecipient: (address: string) => SmtpRefusal | null = () => null;
  private server: SMTPServer | null = null;
  private portNumber = 0;

  static async start(): Promise<SmtpReceiver> {
    const receiver = new SmtpReceiver();
    receiver.portNumber = await freePort();
    await receiver.start();
    return receiver;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.portNumber}`;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        const refusal = this.refuseRecipient(address.address);
        callback(refusal ? Object.assign(new Error(refusal.message), { responseCode: refusal.code }) : null);
      },
      onData: (stream, _session, callback) => {
        simpleParser(stream).then(
          (mail) => {
            this.mails.push(mail);
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.portNumber, '127.0.0.1', () => resolve());
    });
    this.portNumber = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------
// notices

let sequence = 0;

export const STDERR_LINES = Array.from({ length: 30 }, (_, i) => `stderr line ${i + 1}`);
export const LAST_STDERR_LINE = STDERR_LINES.at(-1)!;

export function failureFacts(overrides: Partial<NoticeFacts> = {}): NoticeFacts {
  return {
    kind: 'failure',
    job: 'nightly-report',
    owner: 'data-team',
    run: {
      id: 'run-0mj7',
      attempt: 2,
      status: 'failed',
      trigger: 'retry',
      exitCode: 3,
      reason: null,
      agent: 'agent-7',
      scheduledAt: Date.parse('2026-03-01T02:00:00Z'),
      startedAt: Date.parse('2026-03-01T02:00:01Z'),
      finishedAt: Date.parse('2026-03-01T02:03:00Z'),
    },
    waiting: ['publish', 'archive'],
    sla: null,
    at: Date.parse('2026-03-01T02:03:00Z'),
    ...overrides,
  };
}

export function notice(target: NoticeTarget, facts: NoticeFacts = failureFacts(), id = `notice-${++sequence}`): Notice {
  return { id, target, facts };
}

// ---------------------------------------------------------------------------------------
// a notifier with recording callbacks

export interface RecordingNotifier {
  notifier: Notifier;
  delivered: string[];
  gaveUp: { id: string; reason: string }[];
  sent: NoticeChannel[];
  failed: NoticeChannel[];
  stderrReads: string[];
}

export const UI_URL = 'http://ui.example:8080';

export function recordingNotifier(options: Partial<NotifierOptions> = {}): RecordingNotifier {
  const recorded: Omit<RecordingNotifier, 'notifier'> = { delivered: [], gaveUp: [], sent: [], failed: [], stderrReads: [] };
  const notifier = new Notifier({
    channels: {},
    uiUrl: UI_URL,
    backoff: { firstMs: 20, maxMs: 100 },
    timeoutMs: 2000,
    readStderrTail: async (runId, lines) => {
      recorded.stderrReads.push(runId);
      return STDERR_LINES.slice(-lines);
    },
    onDelivered: (id) => recorded.delivered.push(id),
    onGaveUp: (id, reason) => recorded.gaveUp.push({ id, reason }),
    stats: { sent: (c) => recorded.sent.push(c), failed: (c) => recorded.failed.push(c) },
    ...options,
  });
  return { notifier, ...recorded };
}
