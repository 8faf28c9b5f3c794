/**
 * Bad input is refused at validation with the field named, never thrown, and what is accepted
 * can run: durations, strings handed to execve, keys that would reach a prototype, nesting.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseDuration } from '../../src/core/duration.js';
import { MAX_EXEC_STRING_BYTES, MAX_EXEC_TOTAL_BYTES } from '../../src/core/exec-limits.js';
import { MAX_INPUT_DEPTH } from '../../src/core/input-shape.js';
import { parseJobDocuments, readJobFile, validateJobList } from '../../src/core/job-file.js';
import { validateJobSpec, type FieldError } from '../../src/core/job-spec.js';

const job = (fields: Record<string, unknown>) => ({ name: 'x', command: 'true', ...fields });

/** The errors of an input that must be refused (a throw fails the test as it should). */
function refused(input: unknown): FieldError[] {
  const result = validateJobSpec(input);
  if (result.ok) assert.fail(`expected a refusal of ${JSON.stringify(input).slice(0, 200)}`);
  return result.errors;
}

function assertRefused(input: unknown, field: string, message?: RegExp): void {
  const errors = refused(input);
  const hit = errors.find((e) => e.field === field);
  assert.ok(hit, `expected an error on ${field}, got ${JSON.stringify(errors).slice(0, 400)}`);
  if (message) assert.match(hit.message, message);
}

const accepted = (input: unknown): void => {
  const result = validateJobSpec(input);
  assert.ok(result.ok, JSON.stringify(result).slice(0, 400));
};

describe('durations', () => {
  test('parseDuration never throws: an empty or blank string is an error message', () => {
    for (const input of ['', ' ', '\t']) {
      const parsed = parseDuration(input);
      assert.equal(parsed.ok, false);
      assert.match(parsed.ok ? '' : parsed.message, /empty string is not a duration/);
    }
  });

  for (const field of ['timeout', 'killGracePeriod']) {
    test(`an empty ${field} is a 400 on ${field}, not a throw`, () => assertRefused(job({ [field]: '' }), field, /empty/));
  }
  test('an empty duration nested in an object names its path', () => {
    assertRefused(job({ retries: { backoff: '' } }), 'retries.backoff', /empty/);
    assertRefused(job({ misfire: { window: '' } }), 'misfire.window');
    assertRefused(job({ sla: { lateAfter: '' } }), 'sla.lateAfter');
    assertRefused(job({ history: { maxAge: '' } }), 'history.maxAge');
  });
  test('a duration of the wrong type says what a duration is', () => assertRefused(job({ timeout: { h: 1 } }), 'timeout', /expected a duration/));

  test('a timeout that rounds to 0 ms is refused', () => {
    for (const timeout of [0, '0s', 'PT0S', 0.0001, '0.4ms']) assertRefused(job({ timeout }), 'timeout', /at least 1ms/);
    accepted(job({ timeout: 0.001 }));
    accepted(job({ timeout: '1s' }));
  });
  test('0 means something for killGracePeriod, retries.backoff, retries.maxBackoff and misfire.window', () => {
    accepted(job({ killGracePeriod: 0, retries: { backoff: '0s', maxBackoff: 0 }, misfire: { window: 0 } }));
  });
  test('SLA durations are at least 1 s and history.maxAge at least 1 minute', () => {
    assertRefused(job({ sla: { lateAfter: '500ms' } }), 'sla.lateAfter', /at least 1s/);
    assertRefused(job({ sla: { maxDuration: 0 } }), 'sla.maxDuration', /at least 1s/);
    assertRefused(job({ history: { maxAge: '59s' } }), 'history.maxAge', /at least 1m/);
    accepted(job({ sla: { lateAfter: '1s', maxDuration: '1h' }, history: { maxAge: '1m' } }));
  });
});

describe('what execve accepts', () => {
  test('a NUL byte in command, an args item, or an env value is refused by field', () => {
    assertRefused(job({ command: 'echo a\0b' }), 'command', /NUL/);
    assertRefused({ name: 'x', args: ['/bin/echo', 'a\0'] }, 'args[1]', /NUL/);
    assertRefused(job({ env: { A: 'b\0c' } }), 'env.A', /NUL/);
  });
  test('a NUL byte in an env name is refused by the name pattern', () => {
    const errors = refused(job({ env: { 'A\0B': 'c' } }));
    assert.ok(errors.some((e) => e.field.startsWith('env.')), JSON.stringify(errors));
  });

  test(`one string may be at most ${MAX_EXEC_STRING_BYTES} bytes (MAX_ARG_STRLEN with its NUL)`, () => {
    accepted(job({ command: 'x'.repeat(MAX_EXEC_STRING_BYTES) }));
    assertRefused(job({ command: 'x'.repeat(MAX_EXEC_STRING_BYTES + 1) }), 'command', /131071 bytes.*MAX_ARG_STRLEN/);
    assertRefused({ name: 'x', args: ['/bin/echo', 'x'.repeat(MAX_EXEC_STRING_BYTES + 1)] }, 'args[1]', /MAX_ARG_STRLEN/);
  });
  test('bytes, not characters: a multi-byte character counts its UTF-8 bytes', () => {
    assertRefused(job({ command: 'é'.repeat(Math.ceil(MAX_EXEC_STRING_BYTES / 2) + 1) }), 'command', /bytes/);
  });
  test('an env entry is measured as NAME=value', () => {
    const fits = 'x'.repeat(MAX_EXEC_STRING_BYTES - 'AB='.length);
    accepted(job({ env: { AB: fits } }));
    assertRefused(job({ env: { ABC: fits } }), 'env.ABC', /ABC=<value> is 131072 bytes/);
  });
  test(`all strings with NULs and pointers may take at most ${MAX_EXEC_TOTAL_BYTES} bytes (half of ARG_MAX)`, () => {
    assertRefused({ name: 'x', args: ['/bin/true', ...Array<string>(120_000).fill('')] }, 'args', /ARG_MAX/);
    const env = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`V${i}`, 'x'.repeat(120_000)]));
    assertRefused(job({ env }), 'env', /1048576/);
    accepted(job({ env: Object.fromEntries(Object.entries(env).slice(0, 8)) }));
  });
  test('args[0] is the program and cannot be empty', () => {
    assertRefused({ name: 'x', args: [''] }, 'args[0]', /program/);
    accepted({ name: 'x', args: ['/bin/echo', ''] });
  });
});

describe('keys that would reach a prototype, and deep nesting', () => {
  test('__proto__, constructor and prototype are refused by name at any depth, in JSON', () => {
    assertRefused(JSON.parse('{"name":"x","command":"true","__proto__":{"polluted":1}}'), '__proto__', /unknown field/);
    assertRefused(JSON.parse('{"name":"x","command":"true","env":{"__proto__":{"A":"b"}}}'), 'env.__proto__', /unknown field/);
    assertRefused(job({ labels: { constructor: 'x' } }), 'labels.constructor', /unknown field/);
    assertRefused(job({ container: { image: 'a', prototype: 1 } }), 'container.prototype', /unknown field/);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  });

  test('YAML: env: {__proto__: {A: b}} is refused as env.__proto__, not stored as {}', () => {
    const parsed = parseJobDocuments('name: x\ncommand: "true"\nenv: {__proto__: {A: b}}\n');
    assert.equal(parsed.ok, false);
    assert.deepEqual(parsed.ok ? [] : parsed.errors.map((e) => e.field), ['env.__proto__']);
    const file = readJobFile('- name: x\n  command: "true"\n  labels: {constructor: y}\n', 'jobs.yaml');
    assert.deepEqual(file.ok ? [] : file.errors.map((e) => e.field), ['jobs.yaml: [0].labels.constructor']);
  });

  test(`nesting deeper than ${MAX_INPUT_DEPTH} levels is refused by field`, () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const errors = refused(job({ name: deep }));
    assert.match(errors[0]!.field, /^name(\[0\])+$/);
    assert.match(errors[0]!.message, /nested more than 32 levels/);
  });

  test('a name that is an object or an array is a field error on name', () => {
    assertRefused(job({ name: { toString: 1 } }), 'name');
    assertRefused(job({ name: [[['x']]] }), 'name');
  });
});

describe('field names in lists', () => {
  test('a list item that is not an object is named [i], not [i].', () => {
    const result = validateJobList([1, 'x', job({})]);
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.ok ? [] : result.errors.map((e) => e.field),
      ['[0]', '[1]'],
    );
  });
  test('a field of a list item is [i].field', () => {
    const result = validateJobList([job({}), job({ timeout: '' })]);
    assert.deepEqual(result.ok ? [] : result.errors.map((e) => e.field), ['[1].timeout']);
  });
  test('a single bad body that is not an object is named (body)', () => {
    const result = validateJobList('x');
    assert.deepEqual(result.ok ? [] : result.errors.map((e) => e.field), ['(body)']);
  });
});

describe('the job files the README and npm start use', () => {
  test('examples/jobs.yaml is valid, its pipeline included', () => {
    const path = join(import.meta.dirname, '..', '..', 'examples', 'jobs.yaml');
    const result = readJobFile(readFileSync(path, 'utf8'), path);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.value.jobs.find((j) => j.name === 'load')?.after, ['transform']);
  });
  test("the README's worked example (an owner and three jobs) is valid", () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const example = /```yaml\n(# pipeline\.yaml[\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(example, 'the README has the pipeline.yaml example');
    const result = readJobFile(example, 'README pipeline.yaml');
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.value.owners.map((o) => o.name), ['data-team']);
    assert.deepEqual(result.value.jobs.map((j) => j.name), ['extract', 'transform', 'load']);
  });
});
