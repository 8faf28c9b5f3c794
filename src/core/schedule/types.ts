/** What every schedule is: a rule for the next occurrence, and what to do around DST changes. */

/**
 * What to do with a local time that does not exist (gap, clocks spring forward) or that
 * happens twice (overlap, clocks fall back).
 */
export type DstRule = { gap: 'next' | 'skip'; overlap: 'once' | 'twice' };

export interface Schedule {
  readonly kind: 'cron' | 'iso';
  /** The DST rule in force: the job's, or the default for its kind of schedule. */
  readonly dst: DstRule;
  /** First occurrence strictly after `afterMs`, or null when the schedule has no more occurrences. */
  next(afterMs: number): number | null;
  /**
   * How many occurrences fall in each of `spans` consecutive spans of `widthMs` starting at
   * `fromMs`: exactly what next() would list, counted without listing them, so an
   * every-second schedule costs about what an hourly one does.
   */
  countPerSpan(fromMs: number, widthMs: number, spans: number): number[];
  /**
   * The first wall-clock time (see time-zone.ts) in [fromWall, toWall) the schedule asks for,
   * whether or not the zone's clocks show it; null when it asks for none. It tells what a
   * DST gap took away.
   */
  firstNamedWallClock(fromWall: number, toWall: number): number | null;
}
