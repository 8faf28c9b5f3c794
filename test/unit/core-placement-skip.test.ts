/**
 * place() skips its pass over the waiting line when nothing that could let a run in has
 * changed since its last pass. Differential check: random workloads on a small host, once
 * as the scheduler runs them and once with a full pass forced before every input; the
 * launches must be the same, in the same order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FakeScheduler, spec } from '../helpers/fake-scheduler.js';

type Op = { kind: 'run'; job: number } | { kind: 'start'; pick: number } | { kind: 'exit'; pick: number; code: number } | { kind: 'advance'; ms: number };

const jobArb = fc.record({
  cpus: fc.constantFrom(0.3, 0.5, 1, 1.5, 2.5),
  concurrency: fc.constantFrom('allow' as const, 'forbid' as const),
  priority: fc.integer({ min: 0, max: 2 }),
});
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('run' as const), job: fc.nat(3) }),
  fc.record({ kind: fc.constant('start' as const), pick: fc.nat(50) }),
  fc.record({ kind: fc.constant('exit' as const), pick: fc.nat(50), code: fc.constantFrom(0, 1) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 90_000 }) }),
);

function play(jobs: { cpus: number; concurrency: 'allow' | 'forbid'; priority: number }[], ops: Op[], forceFullPass: boolean): string[] {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z', agent: { cpus: 2 } });
  fake.putJobs(...jobs.map((j, i) => spec({ name: `j${i}`, resources: { cpus: j.cpus }, concurrency: j.concurrency, priority: j.priority, retries: { max: 1, backoff: '30s' } })));
  const startedIds = new Set<string>();
  for (const op of ops) {
    if (forceFullPass) fake.state.placedAtChange = -1;
    if (op.kind === 'run') {
      if (op.job < jobs.length) fake.command({ kind: 'run-job', name: `j${op.job}` });
    } else if (op.kind === 'advance') {
      fake.advance(op.ms);
    } else {
      const live = fake.launches.filter((r) => fake.state.runs.has(r.id) && (op.kind === 'start' ? !startedIds.has(r.id) : startedIds.has(r.id)));
      const run = live[op.pick % Math.max(1, live.length)];
      if (!run) continue;
      if (op.kind === 'start') {
        fake.started(run.id);
        startedIds.add(run.id);
      } else fake.exited(run.id, op.code);
    }
  }
  return fake.launches.map((r) => `${r.job}:${r.key}`);
}

test('skipping a pass when nothing changed launches exactly what a full pass every time would', () => {
  fc.assert(
    fc.property(fc.array(jobArb, { minLength: 1, maxLength: 4 }), fc.array(opArb, { minLength: 1, maxLength: 80 }), (jobs, ops) => {
      assert.deepEqual(play(jobs, ops, false), play(jobs, ops, true));
    }),
    { numRuns: 300 },
  );
});
