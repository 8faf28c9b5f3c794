/**
 * Which `env` values are secrets: those whose names match the server's `--redact` patterns.
 * They leave the server as `***`; the stored spec keeps the real values, which runs get.
 * A `***` sent back for such a name means "keep the value you hold" (a GET then PUT round trip).
 */
import type { FieldError } from './field-error.js';
import { HIDDEN_VALUE } from './hidden-value.js';
import type { JobSpec } from './types.js';

export { HIDDEN_VALUE };

export const DEFAULT_REDACT_PATTERNS: readonly string[] = ['*PASSWORD*', '*SECRET*', '*TOKEN*', '*KEY*'];

export interface EnvRedaction {
  /** As given, for messages; empty when nothing is hidden. */
  readonly patterns: readonly string[];
  /** All patterns as one anchored, case-insensitive expression; null when nothing is hidden. */
  readonly matcher: RegExp | null;
}

/** Letters, digits and `_` (what env names are made of) and `*` for any run of them. */
const PATTERN = /^[A-Za-z0-9_*]+$/;

export function envRedaction(patterns: readonly string[]): EnvRedaction {
  if (patterns.length === 0) return { patterns: [], matcher: null };
  const alternatives = patterns.map((p) => p.split('*').join('.*'));
  return { patterns: [...patterns], matcher: new RegExp(`^(?:${alternatives.join('|')})$`, 'i') };
}

export const DEFAULT_ENV_REDACTION = envRedaction(DEFAULT_REDACT_PATTERNS);

/** `*PASSWORD*,*TOKEN*` (spaces around commas allowed); an empty text hides nothing. */
export function parseRedactPatterns(text: string): { ok: true; value: EnvRedaction } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, value: envRedaction([]) };
  const patterns = text.split(',').map((p) => p.trim());
  for (const pattern of patterns) {
    if (pattern === '') return { ok: false, message: `an empty pattern in "${text}"; give patterns separated by commas, or "" to hide nothing` };
    if (!PATTERN.test(pattern)) {
      return { ok: false, message: `"${pattern}" is not a pattern: use letters, digits, _ and * (any run of characters)` };
    }
  }
  return { ok: true, value: envRedaction(patterns) };
}

export const isHiddenName = (redaction: EnvRedaction, name: string): boolean => redaction.matcher?.test(name) ?? false;

/** The spec as it may be shown: hidden values as `***`. The same object when nothing is hidden. */
export function redactSpec(spec: JobSpec, redaction: EnvRedaction): JobSpec {
  const names = Object.keys(spec.env).filter((name) => isHiddenName(redaction, name));
  if (names.length === 0) return spec;
  const env = { ...spec.env };
  for (const name of names) env[name] = HIDDEN_VALUE;
  return { ...spec, env };
}

/**
 * A spec as sent, with each `***` of a hidden name replaced by the value the stored job holds.
 * A `***` for a hidden name the job does not have yet cannot be resolved: refused, named.
 */
export function restoreHiddenValues(
  spec: JobSpec,
  stored: JobSpec | undefined,
  redaction: EnvRedaction,
  fieldPrefix = '',
): { ok: true; spec: JobSpec } | { ok: false; errors: FieldError[] } {
  const placeholders = Object.entries(spec.env).filter(([name, value]) => value === HIDDEN_VALUE && isHiddenName(redaction, name));
  if (placeholders.length === 0) return { ok: true, spec };
  const env = { ...spec.env };
  const errors: FieldError[] = [];
  for (const [name] of placeholders) {
    const kept = stored !== undefined && Object.hasOwn(stored.env, name) ? stored.env[name] : undefined;
    if (kept === undefined) errors.push({ field: `${fieldPrefix}env.${name}`, message: `${HIDDEN_VALUE} stands for a hidden value; give the real one` });
    else env[name] = kept;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, spec: { ...spec, env } };
}
