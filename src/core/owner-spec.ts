/**
 * Owners: the people or teams behind jobs, and how they want to hear of them. One zod schema
 * validates API bodies and `kind: owner` documents in job files.
 */
import { z } from 'zod';
import { LIMITS, list } from './input-limits.js';
import { HIDDEN_VALUE } from './hidden-value.js';
import { inputShapeErrors } from './input-shape.js';
import { fieldErrors, name, type Validated } from './job-spec.js';

export const NOTICE_KINDS = ['failure', 'recovery', 'retriesExhausted', 'late', 'success'] as const;

const httpUrl = (what: string) =>
  z.url({ protocol: /^https?$/, error: `${what} must be an http(s) URL` }).max(LIMITS.url, `${what} must be at most ${LIMITS.url} characters`);

const email = z.email().max(LIMITS.email, `an e-mail address is at most ${LIMITS.email} characters`);

export const webhookSchema = z
  .union([httpUrl('webhook'), z.strictObject({ url: httpUrl('webhook.url'), secret: z.string().min(1).max(500).optional() })])
  .describe('A URL, or {url, secret}: the JSON body is signed with HMAC-SHA256 of the secret');

export const ownerSpecSchema = z.strictObject({
  name: name('name'),
  email: z
    .union([email, list(email, 50)])
    .optional()
    .transform((e) => (e === undefined ? [] : Array.isArray(e) ? e : [e]))
    .describe('One address or a list'),
  pagerdutyRoutingKey: z.string().min(1).max(200).optional().describe('PagerDuty Events API v2 routing (integration) key (shown as *** : send *** back to keep it)'),
  slackWebhook: z
    .union([httpUrl('slackWebhook'), z.literal(HIDDEN_VALUE)])
    .optional()
    .describe('A Slack incoming-webhook URL (shown as *** : send *** back to keep it)'),
  webhook: webhookSchema.optional(),
  notifyOn: list(z.enum(NOTICE_KINDS), 20)
    .default(['failure', 'recovery', 'retriesExhausted', 'late'])
    .describe('What this owner hears of: failure, recovery, retriesExhausted, late, success'),
  mute: z
    .union([z.boolean(), z.iso.datetime({ offset: true })])
    .default(false)
    .describe('true, false, or an ISO time until which nothing is sent'),
  optOut: list(name('optOut[]'), LIMITS.names).default([]).describe('Jobs this owner hears nothing of'),
});

export type OwnerSpec = z.output<typeof ownerSpecSchema>;
export type NoticeKindOfOwner = (typeof NOTICE_KINDS)[number];

/** An owner as stored. */
export interface StoredOwner {
  spec: OwnerSpec;
  createdAt: number;
  updatedAt: number;
}

export function validateOwnerSpec(input: unknown, prefix: readonly (string | number)[] = []): Validated<OwnerSpec> {
  const shapeErrors = inputShapeErrors(input, prefix);
  if (shapeErrors.length > 0) return { ok: false, errors: shapeErrors };
  const result = ownerSpecSchema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, errors: fieldErrors(result.error, prefix) };
}

/** Whether the owner is muted at `now` (`mute` may be an end time). */
export function isMuted(owner: OwnerSpec, now: number): boolean {
  return owner.mute === true || (typeof owner.mute === 'string' && Date.parse(owner.mute) > now);
}
