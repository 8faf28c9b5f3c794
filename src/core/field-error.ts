/** A problem with one field of the input, named the way users write it: `retries.backoff`, `[1].args[0]`. */
export interface FieldError {
  field: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** `['env', 'A']` → `env.A`, `[1, 'args', 0]` → `[1].args[0]`, `[]` → `(body)`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  const joined = path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
  return joined || '(body)';
}
