/**
 * fast-check arbitraries for hostile input: strings and values that have broken parsers
 * before, valid job and owner specs, and those specs with a few fields changed to such values.
 * The unit fuzz tests feed them to the validators; the API fuzz test sends them to every route.
 */
import fc from 'fast-check';

const HOSTILE_STRINGS = [
  '',
  ' ',
  '.',
  '..',
  '../..',
  '../../etc/passwd',
  '..\\..\\windows',
  '/etc/passwd',
  '%2e%2e%2f',
  '\0',
  'a\0b',
  '\u202e\u0066\u0064\u0070',
  '\ufeff',
  '\ud800',
  '💥'.repeat(50),
  '${HOME}',
  '$(id)',
  '`id`',
  "' OR '1'='1",
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '0x1f',
  'null',
  'true',
  '\r\n\r\nHTTP/1.1 200 OK',
  '*',
  '* * * * * * *',
  '61 * * * *',
  '@every 1s',
  'R/2026-01-01T00:00:00Z/PT0S',
  'R0/2026-01-01T00:00:00Z/PT1H',
  'R/9999-12-31T23:59:59Z/P9999Y',
  'PT0S',
  'P1Y',
  '-1s',
  '1e400s',
  'Etc/GMT+99',
  'Europe/../../etc/passwd',
  '::1',
  'http://127.0.0.1:0/',
  'javascript:alert(1)',
  'file:///etc/passwd',
  'a'.repeat(101),
  'a'.repeat(2001),
  // Regular expressions a backtracking engine takes exponential time on, and ones only it can run.
  '(.|.|.)*x',
  '(a+)+$',
  '(a)\\1',
  '(?=a)a',
  'a{1,100000}',
];

/** Strings: known troublemakers, random ones (any code unit, lone surrogates too) and, now and then, long ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 4 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 200_000 }).map((n) => 'x'.repeat(n)), weight: 1 },
);

const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 0.5, 1e-9, 1e21, 1e308, -1e308, 2 ** 31, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Nested `depth` lists deep, past the nesting bound of input-shape.ts at times. */
const nested = fc.integer({ min: 1, max: 64 }).map((depth) => {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
});

/** An own `__proto__` key, as JSON.parse makes it (an object literal would set the prototype instead). */
const protoKeyed = fc.constantFrom('__proto__', 'constructor', 'prototype').map((key) => JSON.parse(`{"${key}": {"polluted": 1}}`) as unknown);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 4 },
  { arbitrary: hostileNumber, weight: 2 },
  { arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
  { arbitrary: nested, weight: 1 },
  { arbitrary: protoKeyed, weight: 1 },
  { arbitrary: fc.array(hostileString, { maxLength: 5 }), weight: 1 },
);

/** YAML snippets that have thrown in parsers: aliases without anchors or that expand without bound, tags, merges. */
export const HOSTILE_YAML = [
  '*missing',
  'a: *missing',
  'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
  'name: x\ncommand: !!binary aGVsbG8=',
  'name: x\ncommand: true\nlabels: !!omap [a: 1]',
  'name: x\ncommand: true\nlabels: !!set {a, b}',
  'name: !!js/function "function () {}"',
  'name: x\ncommand: true\n<<: {paused: true}',
  'base: &base {command: "true"}\njob:\n  <<: *base\n  name: x',
  'name: x\ncommand: true\npriority: .inf',
  'name: x\ncommand: true\nresources: {disk: .nan}',
  'name: x\ncommand: true\ntimeout: !!float 1e400',
  '%YAML 1.1\n---\nname: x\ncommand: true\npaused: yes',
  '%TAG ! tag:evil.com,2000:\n---\nname: !x y',
  'kind: owner\nname: o\nwebhook: !!str',
  '---\n---\n---',
  '- kind: owner\n  name: a\n- kind: owner\n  name: a',
  'jobs: !!null',
  '? [complex, key]\n: value',
  '\ufeffname: x',
  'name: "\\u0000"',
];

/** A job that uses every field; `sink` is where its webhooks go (a port nobody listens on). */
export function fullJobSpec(name: string, sink = 'http://127.0.0.1:9'): Record<string, unknown> {
  return {
    name,
    description: 'fuzz base',
    schedule: '0 3 1 1 *',
    timezone: 'Europe/Berlin',
    dst: { gap: 'next', overlap: 'once' },
    command: 'true',
    env: { FUZZ: '1' },
    resources: { cpus: 0.1, mem: 16, disk: 0, gpus: 0 },
    constraints: [['rack', 'LIKE', '.*']],
    placement: 'one',
    after: [],
    concurrency: 'forbid',
    misfire: { policy: 'skip', window: '1h' },
    retries: { max: 1, backoff: '1s', factor: 2, maxBackoff: '1m', jitter: 0.1 },
    timeout: '1m',
    killGracePeriod: '1s',
    owners: [],
    notify: { onFailure: ['owner'], onSuccess: [], onRecovery: [], onRetriesExhausted: [], onLate: [] },
    triggers: { onSuccess: [], onFailure: [{ url: `${sink}/trigger`, secret: 's3cret' }] },
    sla: { lateAfter: '1h', maxDuration: '2h' },
    history: { keep: 10, maxAge: '1d' },
    priority: 0,
    paused: true,
    labels: { team: 'fuzz' },
  };
}

/** The same job run without a shell. */
export function argsJobSpec(name: string): Record<string, unknown> {
  const { command: _command, ...rest } = fullJobSpec(name);
  return { ...rest, args: ['/bin/true', 'an argument'] };
}

export function fullOwnerSpec(name: string, sink = 'http://127.0.0.1:9'): Record<string, unknown> {
  return {
    name,
    pagerdutyRoutingKey: 'R0UTINGKEY0000000000000000000000',
    slackWebhook: `${sink}/slack`,
    webhook: { url: `${sink}/webhook`, secret: 's3cret' },
    notifyOn: ['failure', 'recovery', 'retriesExhausted', 'late'],
    mute: false,
    optOut: ['some-job'],
  };
}

type Path = (string | number)[];

/** Every path to a value inside `value`, the root included. */
function pathsOf(value: unknown, at: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [at];
  const children = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [at, ...children.flatMap(([k, v]) => pathsOf(v, [...at, k]))];
}

interface Mutation {
  at: number;
  op: 'set' | 'delete' | 'add-key' | 'wrap';
  key: string;
  value: unknown;
}

/**
 * Values a field could well hold, so that mutated specs are often valid and reach what comes
 * after validation: references to jobs and owners (missing ones too), cycles, schedules.
 */
const plausibleValue = (names: readonly string[], sink: string): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom(...names, 'ghost'),
    fc.subarray([...names, 'owner', 'ghost']),
    fc.constantFrom<unknown>(
      '@daily',
      '0 3 * * *',
      '0 0 31 2 *',
      '0 0 29 2 *',
      'R/2030-01-01T00:00:00Z/PT1H',
      'R5/2026-01-01T00:00:00Z/P1M',
      'allow',
      'replace',
      'run-all',
      'every-agent',
      'twice',
      'skip',
      '0',
      0,
      1,
      100,
      0.5,
      '1s',
      'PT1H',
      3600,
      true,
      false,
      { onSuccess: [names[0]], onFailure: [] },
      { onSuccess: [{ url: `${sink}/plausible`, secret: 'x' }] },
      { policy: 'run-all', window: '1d' },
      { gap: 'skip', overlap: 'twice' },
      ['rack', 'UNIQUE'],
      ['hostname', 'MAX_PER', '2'],
      '2030-01-01T00:00:00Z',
    ),
  );

const mutation = (names: readonly string[], sink: string): fc.Arbitrary<Mutation> =>
  fc.record({
    at: fc.nat(),
    op: fc.constantFrom<Mutation['op']>('set', 'set', 'set', 'delete', 'add-key', 'wrap'),
    key: fc.oneof(fc.constantFrom('name', 'command', 'args', 'schedule', 'timeout', 'env', 'labels', 'url', 'secret', '__proto__', 'state', 'kind'), fc.string({ maxLength: 10 })),
    value: fc.oneof(hostileValue, plausibleValue(names, sink)),
  });

function setAt(root: unknown, path: Path, change: (parent: Record<string | number, unknown>, key: string | number) => void): unknown {
  if (path.length === 0) {
    const box: Record<string, unknown> = { root };
    change(box, 'root');
    return box.root;
  }
  let parent = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  change(parent, path[path.length - 1]!);
  return root;
}

function define(target: Record<string | number, unknown>, key: string | number, value: unknown): void {
  // defineProperty, so that a `__proto__` key is an own key (as JSON.parse would make it).
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function apply(base: unknown, mutations: Mutation[]): unknown {
  let value = structuredClone(base);
  for (const m of mutations) {
    const paths = pathsOf(value);
    const path = paths[m.at % paths.length]!;
    value = setAt(value, path, (parent, key) => {
      const current = parent[key];
      if (m.op === 'set') define(parent, key, m.value);
      else if (m.op === 'delete') {
        if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
        else delete parent[key];
      } else if (m.op === 'wrap') define(parent, key, [current]);
      else if (current !== null && typeof current === 'object' && !Array.isArray(current)) define(current as Record<string, unknown>, m.key, m.value);
      else define(parent, key, m.value);
    });
  }
  return value;
}

/** `base` with one to four of its values (or keys) changed, removed, wrapped or added. */
export const mutated = (base: unknown, names: readonly string[] = ['fuzz-a'], sink = 'http://127.0.0.1:9'): fc.Arbitrary<unknown> =>
  fc.array(mutation(names, sink), { minLength: 1, maxLength: 4 }).map((mutations) => apply(base, mutations));

/** Job-like values: valid jobs, mutated ones, lists of them, and anything at all. */
/** `names`: the jobs and owners whose names specs use and refer to; `sink`: where webhooks go. */
export const jobLike = (names: readonly string[], sink = 'http://127.0.0.1:9'): fc.Arbitrary<unknown> => {
  const name = fc.constantFrom(...names);
  return fc.oneof(
    { arbitrary: name.chain((n) => mutated(fullJobSpec(n, sink), names, sink)), weight: 5 },
    { arbitrary: name.chain((n) => mutated(argsJobSpec(n), names, sink)), weight: 2 },
    { arbitrary: name.map((n) => fullJobSpec(n, sink)), weight: 1 },
    { arbitrary: fc.array(name.chain((n) => mutated(fullJobSpec(n, sink), names, sink)), { maxLength: 3 }), weight: 1 },
    { arbitrary: hostileValue, weight: 2 },
  );
};

export const ownerLike = (names: readonly string[], sink = 'http://127.0.0.1:9'): fc.Arbitrary<unknown> => {
  const name = fc.constantFrom(...names);
  return fc.oneof(
    { arbitrary: name.chain((n) => mutated(fullOwnerSpec(n, sink), names, sink)), weight: 5 },
    { arbitrary: name.map((n) => fullOwnerSpec(n, sink)), weight: 1 },
    { arbitrary: fc.array(name.chain((n) => mutated(fullOwnerSpec(n, sink), names, sink)), { maxLength: 3 }), weight: 1 },
    { arbitrary: hostileValue, weight: 2 },
  );
};
