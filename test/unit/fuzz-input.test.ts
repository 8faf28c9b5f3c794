/**
 * Property-based fuzzing of what validates input (fast-check): whatever arrives, the
 * validators answer (never throw), and a refusal has at least one error, each naming a field.
 * The seed is fixed (FUZZ_SEED overrides it) and printed with any counterexample.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { unmetOnHost } from '../../src/core/host-constraints.js';
import { parseJobDocuments, readJobFile, validateJobList } from '../../src/core/job-file.js';
import { jobSpecSchema, validateJobSpec, type Validated } from '../../src/core/job-spec.js';
import { ownerSpecSchema, validateOwnerSpec } from '../../src/core/owner-spec.js';
import { HOSTILE_YAML, hostileString, jobLike, ownerLike } from '../helpers/hostile-input.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_201);
const RUNS = 600;
const options = { seed: SEED, numRuns: RUNS };

const NAMES = ['fuzz-a', 'fuzz-b'] as const;

/** A refusal says what is wrong, by field; `source` is what every field starts with, for job files. */
function assertAnswered(result: Validated<unknown>, source = ''): void {
  if (result.ok) return;
  assert.ok(result.errors.length > 0, 'a refusal without errors');
  for (const error of result.errors) {
    assert.equal(typeof error.field, 'string');
    assert.ok(error.field.length > 0, `an error without a field: ${JSON.stringify(error)}`);
    assert.ok(error.field.startsWith(source), `${error.field} does not name ${source}`);
    assert.ok(typeof error.message === 'string' && error.message.length > 0, `an error without a message: ${JSON.stringify(error)}`);
  }
}

describe(`validators never throw, and every refusal names a field (seed ${SEED})`, () => {
  test('validateJobSpec: valid jobs with some fields changed to hostile values', () => {
    fc.assert(fc.property(jobLike(NAMES), (input) => assertAnswered(validateJobSpec(input))), options);
  });
  test('validateJobSpec: anything at all', () => {
    fc.assert(fc.property(fc.anything({ withNullPrototype: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withSparseArray: true }), (input) => assertAnswered(validateJobSpec(input))), options);
  });
  test('validateJobList: lists and single jobs', () => {
    fc.assert(fc.property(jobLike(NAMES), (input) => assertAnswered(validateJobList(input))), options);
  });
  test('validateOwnerSpec: valid owners with some fields changed, and anything at all', () => {
    fc.assert(fc.property(fc.oneof(ownerLike(NAMES), fc.anything()), (input) => assertAnswered(validateOwnerSpec(input))), options);
  });
});

const yamlText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_YAML), weight: 2 },
  { arbitrary: jobLike(NAMES).map((v) => toYaml(v) ?? ''), weight: 3 },
  { arbitrary: ownerLike(NAMES).map((v) => toYaml({ kind: 'owner', ...(v !== null && typeof v === 'object' ? v : { value: v }) })), weight: 1 },
  { arbitrary: jobLike(NAMES).map((v) => JSON.stringify(v) ?? 'null'), weight: 1 },
  // A valid file cut short, or with something spliced in.
  { arbitrary: fc.tuple(jobLike(NAMES).map((v) => toYaml(v) ?? ''), fc.nat(), hostileString).map(([text, at, insert]) => text.slice(0, at % (text.length + 1)) + insert), weight: 2 },
  { arbitrary: hostileString, weight: 1 },
);

describe(`job files never throw, and every refusal names the file (seed ${SEED})`, () => {
  test('readJobFile', () => {
    fc.assert(fc.property(yamlText, (text) => assertAnswered(readJobFile(text, 'jobs.yaml'), 'jobs.yaml')), options);
  });
  test('parseJobDocuments, as the API reads a YAML body', () => {
    fc.assert(fc.property(yamlText, (text) => assertAnswered(parseJobDocuments(text))), options);
  });
  test('the snippets that threw before are refused by field', () => {
    for (const text of HOSTILE_YAML.slice(0, 3)) {
      const result = readJobFile(text, 'jobs.yaml');
      assert.equal(result.ok, false, text);
      assertAnswered(result, 'jobs.yaml');
    }
  });
});

interface JsonSchemaNode {
  type?: string | string[];
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchemaNode;
  prefixItems?: JsonSchemaNode[];
  properties?: Record<string, JsonSchemaNode>;
  additionalProperties?: JsonSchemaNode | boolean;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
}

/** Paths to strings without a maximum length and lists without a maximum count, in a JSON Schema. */
function unbounded(node: JsonSchemaNode, path: string, found: string[] = []): string[] {
  const types = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
  const bounded = node.enum !== undefined || node.const !== undefined || node.format === 'date-time';
  if (types.includes('string') && node.maxLength === undefined && !bounded) found.push(path);
  if (types.includes('array') && node.maxItems === undefined && node.prefixItems === undefined) found.push(`${path}[]`);
  for (const [key, child] of Object.entries(node.properties ?? {})) unbounded(child, path ? `${path}.${key}` : key, found);
  if (node.items) unbounded(node.items, `${path}[]`, found);
  for (const item of node.prefixItems ?? []) unbounded(item, `${path}[]`, found);
  if (typeof node.additionalProperties === 'object') unbounded(node.additionalProperties, `${path}.*`, found);
  for (const option of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) unbounded(option, path, found);
  return found;
}

const schemaOf = (schema: z.ZodType): JsonSchemaNode => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;

describe('every string has a maximum length and every list a maximum count', () => {
  // Strings handed to execve are bounded in bytes (exec-limits.ts), which JSON Schema cannot say.
  const EXEC_BOUNDED = ['command', 'args', 'args[]', 'env.*'];
  test('the job spec', () => {
    assert.deepEqual(
      unbounded(schemaOf(jobSpecSchema), '').filter((p) => !EXEC_BOUNDED.includes(p)),
      [],
    );
  });
  test('the owner spec', () => {
    assert.deepEqual(unbounded(schemaOf(ownerSpecSchema), ''), []);
  });
});

describe('constraint patterns run in linear time', () => {
  const LONG_HOST = 'ip-10-0-12-34.eu-west-1.compute.internal';
  const withLike = (pattern: string) => ({ name: 'x', command: 'true', constraints: [['rack', 'LIKE', pattern]] });

  test('a pattern that backtracks exponentially is matched against a long attribute at once', () => {
    for (const pattern of ['(.|.|.)*x', '(a+)+$', '(x+x+)+y']) {
      const result = validateJobSpec(withLike(pattern));
      assert.ok(result.ok, JSON.stringify(result));
      const started = performance.now();
      assert.deepEqual(unmetOnHost(result.value, 'host', { rack: LONG_HOST }).length, 1);
      assert.ok(performance.now() - started < 500, `${pattern} took ${Math.round(performance.now() - started)} ms`);
    }
  });
  test('what only a backtracking engine can run is refused by field', () => {
    for (const pattern of ['(a)\\1', '(?=a)a', '(?<n>a)\\k<n>', 'a{1,100000}']) {
      const result = validateJobSpec(withLike(pattern));
      assert.equal(result.ok, false, pattern);
      assert.deepEqual(result.ok ? [] : result.errors.map((e) => e.field), ['constraints[0]']);
      assert.match(result.ok ? '' : result.errors[0]!.message, /backtracking/);
    }
  });
  test('patterns people write still work, and an invalid one says so', () => {
    for (const pattern of ['r[12]', 'rack-(a|b)', '.*\\.internal', 'ip-\\d+-\\d+-\\d+-\\d+\\..*']) assert.ok(validateJobSpec(withLike(pattern)).ok, pattern);
    const invalid = validateJobSpec(withLike('(['));
    assert.match(invalid.ok ? '' : invalid.errors[0]!.message, /not a valid regular expression/);
  });
});
