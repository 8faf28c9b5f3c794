/** What every schedule is: a rule for the next occurrence, and what to do around DST changes. */

/**
 * What to do with a local time that does not exist (gap, clocks spring forward) or that
 * happens twice (overlap, clocks fall back).
 */
export type DstRule = { gap: 'next' | 'skip'; overlap: 'once' | 'twice' };

export interface Schedule {
  readonly kind: 'cron' | 'iso';
  /** First occurrence strictly after `afterMs`, or null when the schedule has no more occurrences. */
  next(afterMs: number): number | null;
}
