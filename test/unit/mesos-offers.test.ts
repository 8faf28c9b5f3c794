/**
 * Offer reading and packing: resources, ports, order, constraints, pinning, exclusion.
 *
 * Run: node --import tsx --test test/unit/mesos-offers.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { constraintError, type Constraint } from '../../src/mesos/offers/constraints.js';
import { pack } from '../../src/mesos/offers/pack.js';
import { offerAttributes, offerRole, portRanges, scalarResources } from '../../src/mesos/offers/read.js';
import { takePorts, toRanges } from '../../src/mesos/offers/ranges.js';
import type { PlacedTask, TaskRequest } from '../../src/mesos/offers/types.js';
import type { Attribute, Offer, Resource } from '../../src/mesos/types.js';

interface OfferSpec {
  agent?: string;
  hostname?: string;
  cpus?: number;
  mem?: number;
  disk?: number;
  gpus?: number;
  ports?: [number, number][];
  role?: string | null;
  attrs?: Record<string, string>;
}

function offer(id: string, o: OfferSpec = {}): Offer {
  const agent = o.agent ?? `agent-${id}`;
  const role = o.role === undefined ? 'cron' : o.role;
  const alloc = role !== null ? { allocation_info: { role } } : {};
  const scalar = (name: string, value: number): Resource => ({ name, type: 'SCALAR', scalar: { value }, role: '*', ...alloc });
  const resources: Resource[] = [scalar('cpus', o.cpus ?? 4), scalar('mem', o.mem ?? 4096), scalar('disk', o.disk ?? 10000)];
  if (o.gpus) resources.push(scalar('gpus', o.gpus));
  if (o.ports) resources.push({ name: 'ports', type: 'RANGES', ranges: { range: o.ports.map(([begin, end]) => ({ begin, end })) }, role: '*', ...alloc });
  const attributes: Attribute[] = Object.entries(o.attrs ?? {}).map(([name, value]) => ({ name, type: 'TEXT', text: { value } }));
  return {
    id: { value: id },
    framework_id: { value: 'fw' },
    agent_id: { value: agent },
    hostname: o.hostname ?? `${agent}.example`,
    ...alloc,
    resources,
    attributes,
  };
}

function req(taskId: string, o: Partial<Omit<TaskRequest, 'resources'>> & Partial<TaskRequest['resources']> = {}): TaskRequest {
  return {
    taskId,
    group: o.group ?? 'job',
    resources: { cpus: o.cpus ?? 1, mem: o.mem ?? 128, disk: o.disk ?? 0, gpus: o.gpus ?? 0, ports: o.ports ?? 0 },
    constraints: o.constraints ?? [],
    priority: o.priority ?? 0,
    dueAt: o.dueAt ?? 0,
    ...(o.agentId !== undefined ? { agentId: o.agentId } : {}),
    ...(o.excludedAgents !== undefined ? { excludedAgents: o.excludedAgents } : {}),
  };
}

/** taskId -> agent id, for compact assertions. */
function placements(result: ReturnType<typeof pack>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of result.launches) for (const t of l.tasks) out[t.request.taskId] = l.agentId;
  return out;
}

const pendingIds = (result: ReturnType<typeof pack>): string[] => result.pending.map((r) => r.taskId);

const running = (group: string, agentId: string, attributes: Record<string, string>): PlacedTask => ({ group, agentId, attributes });

test('reading an offer: scalar totals, ports, role, attributes of every type as strings', () => {
  const o = offer('o1', { cpus: 2.5, mem: 1024, gpus: 1, ports: [[31000, 31002], [31010, 31010]], attrs: { rack: 'r1' } });
  o.resources.push({ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: 'cron', allocation_info: { role: 'cron' } });
  o.attributes!.push(
    { name: 'cores', type: 'SCALAR', scalar: { value: 8 } },
    { name: 'zones', type: 'SET', set: { item: ['a', 'b'] } },
    { name: 'slots', type: 'RANGES', ranges: { range: [{ begin: 1, end: 3 }, { begin: 7, end: 7 }] } },
  );
  assert.deepEqual(scalarResources(o), { cpus: 3.5, mem: 1024, disk: 10000, gpus: 1 });
  assert.deepEqual(portRanges(o), [{ begin: 31000, end: 31002 }, { begin: 31010, end: 31010 }]);
  assert.equal(offerRole(o), 'cron');
  assert.equal(offerRole(offer('o2', { role: null })), null);
  assert.deepEqual(offerAttributes(o), { rack: 'r1', cores: '8', zones: 'a,b', slots: '1-3,7-7', hostname: 'agent-o1.example' });
});

test('ports are taken lowest first and written back as ranges', () => {
  const ranges = [{ begin: 5, end: 5 }, { begin: 1, end: 2 }];
  assert.deepEqual(takePorts(ranges, 2), [1, 2]);
  assert.deepEqual(ranges, [{ begin: 5, end: 5 }]);
  assert.deepEqual(takePorts(ranges, 3), [5]);
  assert.deepEqual(toRanges([7, 3, 4, 5, 9]), [{ begin: 3, end: 5 }, { begin: 7, end: 7 }, { begin: 9, end: 9 }]);
});

test('one task gets concrete resources with role, allocation_info and its ports', () => {
  const result = pack([offer('o1', { ports: [[31000, 31001], [31005, 31009]] })], [req('t1', { cpus: 0.5, mem: 256, disk: 100, ports: 3 })], []);
  assert.equal(result.launches.length, 1);
  const launch = result.launches[0]!;
  assert.deepEqual(launch.offerIds, ['o1']);
  assert.equal(launch.role, 'cron');
  const task = launch.tasks[0]!;
  assert.deepEqual(task.ports, [31000, 31001, 31005]);
  const alloc = { role: '*', allocation_info: { role: 'cron' } };
  assert.deepEqual(task.resources, [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, ...alloc },
    { name: 'mem', type: 'SCALAR', scalar: { value: 256 }, ...alloc },
    { name: 'disk', type: 'SCALAR', scalar: { value: 100 }, ...alloc },
    { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31001 }, { begin: 31005, end: 31005 }] }, ...alloc },
  ]);
  assert.deepEqual(result.unused, []);
});

test('without MULTI_ROLE allocation info the resources carry none', () => {
  const result = pack([offer('o1', { role: null })], [req('t1')], []);
  assert.equal(result.launches[0]!.role, null);
  assert.equal(result.launches[0]!.tasks[0]!.resources.some((r) => r.allocation_info !== undefined), false);
});

test('many tasks share an offer until it runs out; float noise does not block the last one', () => {
  const tasks = ['a', 'b', 'c', 'd'].map((id) => req(id, { cpus: 0.1, mem: 100, ports: 1 }));
  const result = pack([offer('o1', { cpus: 0.3, mem: 1000, ports: [[1, 10]] })], tasks, []);
  assert.deepEqual(placements(result), { a: 'agent-o1', b: 'agent-o1', c: 'agent-o1' });
  assert.deepEqual(pendingIds(result), ['d']);
  assert.deepEqual(result.launches[0]!.tasks.map((t) => t.ports), [[1], [2], [3]]);
});

test('ports are a resource: no free ports, no placement', () => {
  const result = pack([offer('o1', { ports: [[1, 2]] }), offer('o2')], [req('a', { ports: 2 }), req('b', { ports: 1 })], []);
  assert.deepEqual(placements(result), { a: 'agent-o1' });
  assert.deepEqual(pendingIds(result), ['b']);
  assert.deepEqual(result.unused, ['o2']);
});

test('gpus are packed like the other scalars', () => {
  const result = pack([offer('cpu'), offer('gpu', { gpus: 2 })], [req('g', { gpus: 2 }), req('g2', { gpus: 1 })], []);
  assert.deepEqual(placements(result), { g: 'agent-gpu' });
  assert.deepEqual(pendingIds(result), ['g2']);
});

test('order: priority first, then due time, then task id; the rest stays pending', () => {
  const requests = [req('low', { priority: 0, dueAt: 1 }), req('late', { priority: 5, dueAt: 20 }), req('b', { priority: 5, dueAt: 10 }), req('a', { priority: 5, dueAt: 10 })];
  const result = pack([offer('o1', { cpus: 3 })], requests, []);
  assert.deepEqual(result.launches[0]!.tasks.map((t) => t.request.taskId), ['a', 'b', 'late']);
  assert.deepEqual(pendingIds(result), ['low']);
});

test('first fit across offers; offers with nothing placed are returned unused', () => {
  const result = pack([offer('small', { cpus: 0.5 }), offer('big', { cpus: 8 }), offer('idle')], [req('t1', { cpus: 2 }), req('t2', { cpus: 0.5 })], []);
  assert.deepEqual(placements(result), { t1: 'agent-big', t2: 'agent-small' });
  assert.deepEqual(result.unused, ['idle']);
});

test("offers of one agent and role are pooled into one launch; another role's are not", () => {
  const offers = [
    offer('o1', { agent: 'a1', cpus: 1 }),
    offer('o2', { agent: 'a1', cpus: 1 }),
    offer('o3', { agent: 'a1', cpus: 1, role: 'other' }),
  ];
  const result = pack(offers, [req('t', { cpus: 2 }), req('u', { cpus: 1 })], []);
  assert.equal(result.launches.length, 2);
  assert.deepEqual(result.launches[0]!.offerIds, ['o1', 'o2']);
  assert.deepEqual(result.launches[0]!.tasks.map((t) => t.request.taskId), ['t']);
  assert.deepEqual(result.launches[1]!.offerIds, ['o3']);
  assert.equal(result.launches[1]!.role, 'other');
  // The task takes one cpu from each pooled offer's resource.
  assert.deepEqual(result.launches[0]!.tasks[0]!.resources.filter((r) => r.name === 'cpus').map((r) => r.scalar!.value), [1, 1]);
});

test('reserved and unreserved resources are taken separately, keeping their role', () => {
  const o = offer('o1', { cpus: 1 });
  o.resources.unshift({ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, role: 'cron', allocation_info: { role: 'cron' } });
  const cpus = pack([o], [req('t', { cpus: 1.2 })], []).launches[0]!.tasks[0]!.resources.filter((r) => r.name === 'cpus');
  assert.deepEqual(cpus.map((r) => [r.role, r.scalar!.value]), [['cron', 0.5], ['*', 0.7]]);
});

test('pinned to an agent, or excluded from agents', () => {
  const offers = [offer('o1', { agent: 'a1' }), offer('o2', { agent: 'a2' })];
  const result = pack(offers, [req('pin', { agentId: 'a2' }), req('nope', { excludedAgents: ['a1', 'a2'] }), req('ex', { excludedAgents: ['a1'] }), req('gone', { agentId: 'a9' })], []);
  assert.deepEqual(placements(result), { pin: 'a2', ex: 'a2' });
  assert.deepEqual(pendingIds(result), ['gone', 'nope']);
});

const racks = () => [offer('o1', { agent: 'a1', attrs: { rack: 'r1' } }), offer('o2', { agent: 'a2', attrs: { rack: 'r2' } }), offer('o3', { agent: 'a3', attrs: { rack: 'r1' } }), offer('o4', { agent: 'a4' })];

test('EQUALS, LIKE (full match) and UNLIKE on attributes and hostname', () => {
  const c = (id: string, constraints: Constraint[]) => req(id, { constraints, cpus: 0.1 });
  const result = pack(racks(), [
    c('eq', [['rack', 'EQUALS', 'r2']]),
    c('like', [['hostname', 'LIKE', 'a[34]\\.example']]),
    c('partial', [['rack', 'LIKE', 'r']]),
    c('unlike', [['rack', 'UNLIKE', 'r1|r2']]),
    c('missing', [['zone', 'EQUALS', 'z1']]),
  ], []);
  assert.deepEqual(placements(result), { eq: 'a2', like: 'a3', unlike: 'a4' });
  assert.deepEqual(pendingIds(result), ['missing', 'partial']);
});

test('UNIQUE: one task of the group per value, counting running tasks and this packing', () => {
  const constraints: Constraint[] = [['rack', 'UNIQUE']];
  const result = pack(racks(), ['t1', 't2', 't3'].map((id) => req(id, { constraints, cpus: 0.1 })), [running('job', 'x', { rack: 'r2' })]);
  // r2 is taken by a running task, r1 by t1; a4 has no rack attribute.
  assert.deepEqual(placements(result), { t1: 'a1' });
  assert.deepEqual(pendingIds(result), ['t2', 't3']);
  // Other groups do not count.
  const other = pack(racks(), [req('t', { constraints, group: 'other' })], [running('job', 'x', { rack: 'r1' })]);
  assert.deepEqual(placements(other), { t: 'a1' });
});

test('UNIQUE hostname spreads a group one per host', () => {
  const result = pack([offer('o1', { agent: 'a1' }), offer('o2', { agent: 'a2' })], ['t1', 't2', 't3'].map((id) => req(id, { constraints: [['hostname', 'UNIQUE']] })), []);
  assert.deepEqual(placements(result), { t1: 'a1', t2: 'a2' });
  assert.deepEqual(pendingIds(result), ['t3']);
});

test('CLUSTER: to the given value, or to the value the group already uses', () => {
  const fixed = pack(racks(), [req('t', { constraints: [['rack', 'CLUSTER', 'r2']] })], []);
  assert.deepEqual(placements(fixed), { t: 'a2' });
  const constraints: Constraint[] = [['rack', 'CLUSTER']];
  const first = pack(racks(), ['t1', 't2'].map((id) => req(id, { constraints, cpus: 4 })), []);
  assert.deepEqual(placements(first), { t1: 'a1', t2: 'a3' }, 'the first used value (r1) binds the second task');
  const followRunning = pack(racks(), [req('t', { constraints })], [running('job', 'x', { rack: 'r2' })]);
  assert.deepEqual(placements(followRunning), { t: 'a2' });
});

test('GROUP_BY: new values first, then the value with the fewest tasks', () => {
  const constraints: Constraint[] = [['rack', 'GROUP_BY']];
  const runningR1 = [running('job', 'x', { rack: 'r1' })];
  const result = pack(racks(), [req('t1', { constraints, cpus: 0.1 }), req('t2', { constraints, cpus: 0.1 })], runningR1);
  // t1 may not join r1 (1 task) while r2 has none; then r1 and r2 are level, so t2 goes first fit.
  assert.deepEqual(placements(result), { t1: 'a2', t2: 'a1' });
  const uneven = pack(racks(), [req('t', { constraints })], [...runningR1, running('job', 'y', { rack: 'r1' }), running('job', 'z', { rack: 'r2' })]);
  assert.deepEqual(placements(uneven), { t: 'a2' });
});

test('GROUP_BY n: a used value is refused until n values are in use', () => {
  const constraints: Constraint[] = [['rack', 'GROUP_BY', '3']];
  const onlyR1 = [offer('o1', { agent: 'a1', attrs: { rack: 'r1' } })];
  const runs = [running('job', 'x', { rack: 'r1' }), running('job', 'y', { rack: 'r2' })];
  assert.deepEqual(pendingIds(pack(onlyR1, [req('t', { constraints })], runs)), ['t']);
  const withR3 = [...runs, running('job', 'z', { rack: 'r3' })];
  assert.deepEqual(placements(pack(onlyR1, [req('t', { constraints })], withR3)), { t: 'a1' });
});

test('MAX_PER: at most n tasks of the group per value', () => {
  const constraints: Constraint[] = [['rack', 'MAX_PER', '2']];
  const result = pack(racks(), ['t1', 't2', 't3', 't4'].map((id) => req(id, { constraints, cpus: 0.1 })), [running('job', 'x', { rack: 'r1' })]);
  assert.deepEqual(placements(result), { t1: 'a1', t2: 'a2', t3: 'a2' });
  assert.deepEqual(pendingIds(result), ['t4']);
});

test('several constraints must all hold; malformed constraints never match', () => {
  const both = pack(racks(), [req('t', { constraints: [['rack', 'EQUALS', 'r1'], ['hostname', 'UNLIKE', 'a1.*']] })], []);
  assert.deepEqual(placements(both), { t: 'a3' });
  const bad = pack(racks(), [req('t', { constraints: [['rack', 'LIKE', '(']] })], []);
  assert.deepEqual(pendingIds(bad), ['t']);
  assert.match(constraintError(['rack', 'LIKE', '('])!, /regular expression/);
  assert.match(constraintError(['rack', 'MAX_PER', '0'])!, /positive/);
  assert.match(constraintError(['rack', 'EQUALS'])!, /needs a value/);
  assert.match(constraintError(['rack', 'NEAR' as never])!, /unknown operator/);
  assert.equal(constraintError(['rack', 'GROUP_BY']), null);
  assert.equal(constraintError(['rack', 'UNIQUE']), null);
});

test('offers no request can use are all unused; no requests means every offer is unused', () => {
  const result = pack([offer('o1', { cpus: 1 }), offer('o2', { cpus: 1 })], [req('huge', { cpus: 16 })], []);
  assert.deepEqual(result.unused, ['o1', 'o2']);
  assert.deepEqual(pendingIds(result), ['huge']);
  assert.deepEqual(pack([offer('o1')], [], []).unused, ['o1']);
});
