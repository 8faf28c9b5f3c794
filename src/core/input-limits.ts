/**
 * Bounds for input that has no natural one: every string and list a client sends has a largest
 * size, refused by field, so one request can neither hold much memory nor make much work.
 * (Strings handed to execve have their own limits, in exec-limits.ts.)
 */
import { z } from 'zod';

export const LIMITS = {
  /** A cron expression spelling out every second of a minute is under 200 characters. */
  schedule: 1000,
  /** "30s", "PT1H30M": no sensible duration comes near. */
  duration: 100,
  /** The longest IANA zone name is 32 characters. */
  timezone: 100,
  /** RFC 5321's longest usable address. */
  email: 254,
  url: 2000,
  image: 1000,
  attribute: 200,
  constraintValue: 1000,
  labelKey: 200,
  labelValue: 1000,
  /** after, owners, optOut. */
  names: 1000,
  /** Each trigger and notify list. */
  targets: 100,
  constraints: 100,
  labels: 100,
  cursor: 500,
  agentReason: 500,
} as const;

export const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

export const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).max(max, `must have at most ${max} items`);

/** A record of at most `max` entries, keys and values each bounded. */
export const boundedRecord = (max: number, maxKey: number, maxValue: number) =>
  z.record(z.string(), text(maxValue)).superRefine((record, ctx) => {
    const keys = Object.keys(record);
    if (keys.length > max) ctx.addIssue({ code: 'custom', message: `must have at most ${max} entries, not ${keys.length}` });
    for (const key of keys.filter((k) => k.length > maxKey)) ctx.addIssue({ code: 'custom', path: [key], message: `the name must be at most ${maxKey} characters` });
  });
