/**
 * Placement constraints with Marathon/Metronome semantics, over agent attributes and
 * `hostname`. A constraint is [field, operator, value?]; "the group" is the tasks that
 * share the request's group (already running, or placed earlier in the same packing).
 */
import { linearRegExp } from '../../lib/linear-regexp.js';
import type { Constraint, ConstraintOperator, PlacedTask } from './types.js';

export type { Constraint, ConstraintOperator } from './types.js';

export const CONSTRAINT_OPERATORS: readonly ConstraintOperator[] = ['EQUALS', 'LIKE', 'UNLIKE', 'UNIQUE', 'CLUSTER', 'GROUP_BY', 'MAX_PER'];

/** Why a constraint is malformed, or null. Malformed constraints never match an offer. */
export function constraintError(c: Constraint): string | null {
  const [field, op, value] = c;
  if (typeof field !== 'string' || field === '') return 'field must be a non-empty string';
  if (!CONSTRAINT_OPERATORS.includes(op)) return `unknown operator ${String(op)}`;
  switch (op) {
    case 'EQUALS':
    case 'LIKE':
    case 'UNLIKE':
      if (value === undefined) return `${op} needs a value`;
      if (op !== 'EQUALS' && fullMatch(value) === null) return `${op} value is not a valid regular expression`;
      return null;
    case 'MAX_PER':
      return value !== undefined && isCount(value, 1) ? null : 'MAX_PER needs a positive integer';
    case 'GROUP_BY':
      return value === undefined || isCount(value, 0) ? null : 'GROUP_BY takes an optional non-negative integer';
    case 'UNIQUE':
    case 'CLUSTER':
      return null;
  }
}

const isCount = (v: string, min: number): boolean => /^\d+$/.test(v) && Number(v) >= min;

function fullMatch(pattern: string): RegExp | null {
  try {
    return linearRegExp(`^(?:${pattern})$`);
  } catch {
    return null;
  }
}

type Attributes = Readonly<Record<string, string>>;

/**
 * Does an agent with `attributes` satisfy `c` for one more task, given the group's
 * placed tasks? `offered` are the attributes of every agent on offer now, so GROUP_BY
 * knows the values not used yet.
 */
export function satisfies(c: Constraint, attributes: Attributes, group: readonly PlacedTask[], offered: readonly Attributes[] = []): boolean {
  if (constraintError(c) !== null) return false;
  const [field, op, value] = c;
  const mine = attributes[field];
  if (op === 'UNLIKE') return mine === undefined || !fullMatch(value!)!.test(mine);
  if (mine === undefined) return false;
  // Tasks on agents without the attribute do not count for or against any value.
  const values = group.map((t) => t.attributes[field]).filter((v): v is string => v !== undefined);
  switch (op) {
    case 'EQUALS':
      return mine === value;
    case 'LIKE':
      return fullMatch(value!)!.test(mine);
    case 'UNIQUE':
      return !values.includes(mine);
    case 'CLUSTER':
      return mine === (value ?? values[0] ?? mine);
    case 'MAX_PER':
      return values.filter((v) => v === mine).length < Number(value);
    case 'GROUP_BY':
      return groupByAllows(mine, values, offered.map((a) => a[field]), Number(value ?? 0));
  }
}

/**
 * GROUP_BY: only a value holding the fewest tasks of the group, among the values in
 * use and on offer (unused ones count 0). With `minValues`, while fewer values are
 * known, unseen ones count as empty, so only an unused value will do.
 */
function groupByAllows(mine: string, used: readonly string[], offered: readonly (string | undefined)[], minValues: number): boolean {
  const counts = new Map<string, number>();
  for (const v of offered) if (v !== undefined) counts.set(v, 0);
  for (const v of used) counts.set(v, (counts.get(v) ?? 0) + 1);
  counts.set(mine, counts.get(mine) ?? 0);
  const fewest = counts.size < minValues ? 0 : Math.min(...counts.values());
  return counts.get(mine) === fewest;
}

export const satisfiesAll = (
  constraints: readonly Constraint[],
  attributes: Attributes,
  group: readonly PlacedTask[],
  offered: readonly Attributes[] = [],
): boolean => constraints.every((c) => satisfies(c, attributes, group, offered));
