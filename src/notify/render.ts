/**
 * What a notice says, channel-neutral: a one-line title, labelled fields, the stderr tail, the
 * jobs now waiting, a link, and a plain-text body. Channels lay these out in their own format.
 */
import type { Notice, NoticeFacts } from '../core/types.js';

export const STDERR_TAIL_LINES = 20;

/** The run's stderr as read at delivery time. */
export type StderrTail = { available: true; lines: string[] } | { available: false };

export interface RenderedNotice {
  /** e.g. `FAILED nightly-report (run 0mj…, attempt 2): exit code 3` */
  title: string;
  /** The email subject: the title with a `[moroccron]` tag. */
  subject: string;
  fields: { label: string; value: string }[];
  /** Failures only; null for other kinds. */
  stderr: StderrTail | null;
  waiting: string[];
  /** `Now waiting on it: b, c`, or null when nothing waits. */
  waitingLine: string | null;
  /** `${uiUrl}/runs/<id>` when the UI URL is configured. */
  link: string | null;
  text: string;
}

export interface RenderContext {
  uiUrl: string | null;
  stderr: StderrTail | null;
}

/** Whether a notice of this kind carries the run's stderr tail. */
export const isFailureNotice = (facts: NoticeFacts): boolean =>
  facts.run !== null && (facts.kind === 'failure' || facts.kind === 'retriesExhausted');

export function renderNotice(notice: Notice, context: RenderContext): RenderedNotice {
  const { facts } = notice;
  const title = titleOf(facts);
  const stderr = isFailureNotice(facts) ? (context.stderr ?? { available: false }) : null;
  const waitingLine = facts.waiting.length > 0 ? `Now waiting on it: ${facts.waiting.join(', ')}` : null;
  const link = linkOf(facts, context.uiUrl);
  const fields = fieldsOf(facts);
  const rendered = { title, subject: `[moroccron] ${title}`, fields, stderr, waiting: facts.waiting, waitingLine, link };
  return { ...rendered, text: plainText(rendered, notice.id) };
}

export function stderrText(stderr: StderrTail): string {
  if (!stderr.available) return '(stderr not available)';
  return stderr.lines.length > 0 ? stderr.lines.join('\n') : '(stderr is empty)';
}

/** Exact and short: 300000 → "5m", 5400000 → "90m" (never rounded, unlike `ms`). */
export function formatDuration(millis: number): string {
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  for (const [unit, size] of units) if (millis >= size && millis % size === 0) return `${millis / size}${unit}`;
  return `${millis}ms`;
}

export const isoTime = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

function titleOf(facts: NoticeFacts): string {
  const { run, job } = facts;
  const about = run ? `${job} (run ${run.id}, attempt ${run.attempt})` : job;
  switch (facts.kind) {
    case 'failure':
      return `${run && run.status !== 'failed' && run.status !== 'succeeded' ? run.status.toUpperCase() : 'FAILED'} ${about}: ${causeOf(facts)}`;
    case 'retriesExhausted':
      return `RETRIES EXHAUSTED ${about}: ${causeOf(facts)}`;
    case 'recovery':
      return `RECOVERED ${about}: succeeded again`;
    case 'late':
      return `LATE ${about}: ${slaText(facts)}`;
    case 'success':
      return `SUCCEEDED ${about}`;
    case 'test':
      return `TEST notice${facts.owner ? ` for ${facts.owner}` : ''}: this channel reaches you`;
  }
}

/** Exit code, reason, or both (a timeout kill has both). */
function causeOf(facts: NoticeFacts): string {
  const run = facts.run;
  if (!run) return 'no run details';
  const exit = run.exitCode === null ? null : `exit code ${run.exitCode}`;
  if (run.reason && exit) return `${run.reason} (${exit})`;
  return run.reason ?? exit ?? 'no exit code or reason reported';
}

function slaText(facts: NoticeFacts): string {
  const sla = facts.sla;
  if (!sla) return 'missed its SLA';
  const limit = formatDuration(sla.limitMs);
  return sla.rule === 'lateAfter' ? `not started within ${limit} of its scheduled time` : `still running after ${limit}`;
}

function linkOf(facts: NoticeFacts, uiUrl: string | null): string | null {
  if (uiUrl === null) return null;
  const base = uiUrl.replace(/\/+$/, '');
  return facts.run ? `${base}/runs/${encodeURIComponent(facts.run.id)}` : base;
}

function fieldsOf(facts: NoticeFacts): { label: string; value: string }[] {
  const fields: { label: string; value: string }[] = [];
  const add = (label: string, value: string | number | null | undefined) => {
    if (value !== null && value !== undefined && value !== '') fields.push({ label, value: String(value) });
  };
  if (facts.kind !== 'test') add('Job', facts.job);
  const run = facts.run;
  if (run) {
    add('Run', run.id);
    add('Attempt', run.attempt);
    add('Status', run.status);
    if (isFailureNotice(facts)) {
      add('Exit code', run.exitCode ?? 'none');
      add('Reason', run.reason);
      add('Agent', run.agent ?? 'none (never placed)');
    } else {
      add('Agent', run.agent);
    }
    add('Scheduled', isoTime(run.scheduledAt));
    add('Started', isoTime(run.startedAt));
    add('Finished', isoTime(run.finishedAt));
  }
  if (facts.sla) add('SLA', `${facts.sla.rule} ${formatDuration(facts.sla.limitMs)}`);
  add('Owner', facts.owner);
  return fields;
}

function plainText(rendered: Omit<RenderedNotice, 'text'>, noticeId: string): string {
  const width = Math.max(0, ...rendered.fields.map((f) => f.label.length)) + 2;
  const parts = [rendered.title, '', ...rendered.fields.map((f) => `${`${f.label}:`.padEnd(width)}${f.value}`)];
  if (rendered.waitingLine) parts.push('', rendered.waitingLine);
  if (rendered.stderr) {
    const heading = `Last ${STDERR_TAIL_LINES} lines of stderr:`;
    parts.push('', heading, ...stderrText(rendered.stderr).split('\n').map((line) => `  ${line}`));
  }
  if (rendered.link) parts.push('', `Open in moroccron: ${rendered.link}`);
  parts.push('', `-- moroccron notice ${noticeId}`);
  return `${parts.join('\n')}\n`;
}
