/**
 * JSON text kept for answers that cannot change: a deeply frozen view served again and again
 * (views.ts) is serialized on its first answer, and the same text goes out after.
 */
const texts = new WeakMap<object, string | null>();

/** Marks a deeply frozen value as one whose JSON text may be kept. */
export function serializeOnce<T extends object>(value: T): T {
  if (!texts.has(value)) texts.set(value, null);
  return value;
}

/** The value's JSON text if it was marked with serializeOnce, else undefined. */
export function keptJsonOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const text = texts.get(value);
  if (text !== null) return text;
  const made = JSON.stringify(value);
  texts.set(value, made);
  return made;
}
