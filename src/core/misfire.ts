/**
 * Which due occurrences of a job to run, given how late they are and the job's misfire
 * policy. An occurrence late by at most `thresholdMs` is on time; a later one was missed
 * (the server was down, paused or starved) and the policy decides:
 *   skip      missed occurrences are not run
 *   run-once  one run stands for all of them (none if an on-time occurrence is due too)
 *   run-all   every missed occurrence runs
 * Occurrences missed by more than the window never run.
 */
import type { Schedule } from './schedule/index.js';
import type { Millis } from './types.js';

export type MisfirePolicy = 'skip' | 'run-once' | 'run-all';

export interface Occurrence {
  at: Millis;
  /** Set on a catch-up run: what it stands for. */
  note: string | null;
}

export interface MissedSummary {
  first: Millis;
  last: Millis;
  count: number;
  /** True when occurrences older than the window were passed over without counting them. */
  countIsLowerBound: boolean;
  why: string;
}

export interface FirePlan {
  run: Occurrence[];
  missed: MissedSummary | null;
  /** Every occurrence up to here has been dealt with: the job's new cursor. */
  cursor: Millis;
  next: Millis | null;
}

/** Bound on runs created by one catch-up, whatever the policy. */
export const MAX_CATCH_UP = 10_000;

export function planOccurrences(args: {
  schedule: Schedule;
  firstDue: Millis;
  now: Millis;
  policy: MisfirePolicy;
  windowMs: Millis;
  thresholdMs: Millis;
}): FirePlan {
  const { schedule, firstDue, now, policy, windowMs, thresholdMs } = args;
  const oldestRunnable = now - windowMs;
  const missed: Millis[] = [];
  const onTime: Millis[] = [];
  let skippedBeyondWindow: { first: Millis } | null = null;

  let at: Millis | null = firstDue;
  if (at < oldestRunnable) {
    // Jump over everything older than the window instead of walking it.
    skippedBeyondWindow = { first: at };
    at = schedule.next(oldestRunnable - 1);
  }
  while (at !== null && at <= now) {
    if (now - at <= thresholdMs) onTime.push(at);
    else missed.push(at);
    at = schedule.next(at);
  }

  const run: Occurrence[] = [];
  let notRun: Millis[] = [];
  let why = '';
  if (policy === 'run-all') {
    run.push(...missed.map((m) => ({ at: m, note: 'catch-up of a missed occurrence' })), ...onTime.map((o) => ({ at: o, note: null })));
  } else if (policy === 'run-once' && onTime.length === 0 && missed.length > 0) {
    const last = missed[missed.length - 1]!;
    const count = missed.length + (skippedBeyondWindow ? 1 : 0);
    run.push({ at: last, note: count > 1 ? `catch-up: one run for ${missed.length} missed occurrences since ${iso(missed[0]!)}` : 'catch-up of a missed occurrence' });
    notRun = missed.slice(0, -1);
    why = 'misfire policy run-once';
  } else {
    run.push(...onTime.map((o) => ({ at: o, note: null })));
    notRun = missed;
    why = policy === 'skip' ? 'misfire policy skip' : 'misfire policy run-once (an on-time run covers them)';
  }
  if (run.length > MAX_CATCH_UP) {
    const dropped = run.splice(0, run.length - MAX_CATCH_UP).map((o) => o.at);
    notRun = [...dropped, ...notRun].sort((a, b) => a - b);
    why = [why, `at most ${MAX_CATCH_UP} catch-up runs at once`].filter(Boolean).join('; ');
  }

  let summary: MissedSummary | null = null;
  if (skippedBeyondWindow || notRun.length > 0) {
    const first = skippedBeyondWindow?.first ?? notRun[0]!;
    const last = notRun.length > 0 ? notRun[notRun.length - 1]! : first;
    const reasons = [skippedBeyondWindow ? `older than the misfire window` : '', notRun.length > 0 ? why : ''].filter(Boolean);
    summary = {
      first,
      last,
      count: notRun.length + (skippedBeyondWindow ? 1 : 0),
      countIsLowerBound: skippedBeyondWindow !== null,
      why: reasons.join('; '),
    };
  }
  return { run, missed: summary, cursor: now, next: at };
}

export const iso = (t: Millis): string => new Date(t).toISOString();
