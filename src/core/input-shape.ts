/**
 * Checks on untrusted data (request bodies, job files) before anything reads it: keys that
 * would reach an object's prototype are refused by name (never dropped, never applied), and
 * so is nesting deeper than any valid document needs (handlers and loggers recurse into values).
 */
import { fieldPath, type FieldError } from './field-error.js';

/** Keys that `obj[key] = value` (zod records, spreads, merges) would not store as plain data. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A job spec is at most 4 levels deep; other bodies are flatter still. */
export const MAX_INPUT_DEPTH = 32;

/** Enough to fix the input; a body full of bad keys must not make an answer bigger than itself. */
const MAX_REPORTED = 20;

export function inputShapeErrors(value: unknown, prefix: readonly (string | number)[] = []): FieldError[] {
  const errors: FieldError[] = [];
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (node === null || typeof node !== 'object' || errors.length >= MAX_REPORTED) return;
    if (path.length - prefix.length >= MAX_INPUT_DEPTH) {
      errors.push({ field: fieldPath(path), message: `nested more than ${MAX_INPUT_DEPTH} levels deep` });
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, [...path, i]));
      return;
    }
    for (const [key, item] of Object.entries(node)) {
      if (FORBIDDEN_KEYS.has(key)) {
        if (errors.length < MAX_REPORTED) errors.push({ field: fieldPath([...path, key]), message: `unknown field ("${key}" is never accepted as a key)` });
      } else {
        visit(item, [...path, key]);
      }
    }
  };
  visit(value, [...prefix]);
  return errors;
}
