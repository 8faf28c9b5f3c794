/**
 * Mesos sim: UPDATE_FRAMEWORK (docs/mesos.md#update-framework: 200/400/403 at once, suppressed roles replaced) and
 * GPU agents, which are offered only to frameworks with GPU_RESOURCES (--filter_gpu_resources).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startMesosSim, type MesosSim } from '../../src/mesos/sim/index.js';
import type { FrameworkInfo, Offer } from '../../src/mesos/types.js';
import { SimScheduler, eventually, expectNothing, frameworkInfo } from '../helpers/mesos-sim-client.js';

let sim: MesosSim;
let gpuAgent: string;
before(async () => {
  // Agent 0 has 2 GPUs, agent 1 none.
  sim = await startMesosSim({ agents: 2, gpus: (i) => (i === 0 ? 2 : 0), heartbeatIntervalSeconds: 5, allocationIntervalMs: 50 });
  gpuAgent = (sim.state() as { slaves: { id: string; resources: { gpus: number } }[] }).slaves.find((s) => s.resources.gpus === 2)!.id;
});
after(() => sim.close());

const offersEvents = (client: SimScheduler): Offer[] => client.events.flatMap((e) => (e.type === 'OFFERS' ? (e.offers.offers ?? []) : []));
const declineAll = (client: SimScheduler, offers: readonly Offer[]) =>
  client.call('DECLINE', { decline: { offer_ids: offers.map((o) => o.id), filters: { refuse_seconds: 0 } } });
const outstandingOffers = (client: SimScheduler): number =>
  (sim.state() as { frameworks: { id: string; offers: unknown[] }[] }).frameworks.find((f) => f.id === client.frameworkId)!.offers.length;
const update = (client: SimScheduler, info: FrameworkInfo, extra: { suppressed_roles?: string[] } = {}) =>
  client.call('UPDATE_FRAMEWORK', { update_framework: { framework_info: { ...info, id: { value: client.frameworkId } }, ...extra } });

test('GPU agents are offered only to frameworks with GPU_RESOURCES; UPDATE_FRAMEWORK adding it brings their offers', async () => {
  const info = frameworkInfo();
  const client = await SimScheduler.subscribe(sim.url, info);
  // Several allocation cycles (declined without a filter): never the GPU agent.
  for (let i = 0; i < 4; i++) {
    const offers = await client.offers();
    assert.ok(offers.every((o) => o.agent_id.value !== gpuAgent), JSON.stringify(offers.map((o) => o.agent_id.value)));
    await declineAll(client, offers);
  }
  const withGpus = { ...info, capabilities: [...info.capabilities!, { type: 'GPU_RESOURCES' as const }] };
  const answer = await update(client, withGpus);
  assert.deepEqual([answer.status, answer.body], [200, '']);
  const gpuOffer = await eventually(async () => {
    const offers = await client.offers();
    await declineAll(client, offers);
    return offers.find((o) => o.agent_id.value === gpuAgent);
  }, 5000, 'an offer from the GPU agent');
  assert.equal(gpuOffer.resources.find((r) => r.name === 'gpus')?.scalar?.value, 2);
  const state = (sim.state() as { frameworks: { id: string; capabilities: string[] }[] }).frameworks.find((f) => f.id === client.frameworkId)!;
  assert.ok(state.capabilities.includes('GPU_RESOURCES'));
  await client.call('TEARDOWN');
});

test('UPDATE_FRAMEWORK: suppressed_roles replace the old set; invalid info 400; a disconnected framework 403', async () => {
  const info = frameworkInfo({ roles: ['cron', 'batch'], failover_timeout: 60 });
  const client = await SimScheduler.subscribe(sim.url, info);
  await client.offers();
  assert.equal((await update(client, info, { suppressed_roles: ['cron', 'batch'] })).status, 200);
  // Offers made before the update are not rescinded: decline every one, until none is outstanding.
  await eventually(async () => {
    await declineAll(client, offersEvents(client));
    return outstandingOffers(client) === 0;
  }, 3000, 'no outstanding offers');
  const suppressedAt = client.events.length;
  await expectNothing(client, (e) => e.type === 'OFFERS' && client.events.indexOf(e) >= suppressedAt, 300);
  // Leaving out suppressed_roles un-suppresses everything.
  assert.equal((await update(client, info)).status, 200);
  const revived = await client.next((e) => e.type === 'OFFERS' && client.events.indexOf(e) >= suppressedAt, 2000);
  assert.equal(revived.type, 'OFFERS');
  const invalid = await update(client, info, { suppressed_roles: ['elsewhere'] });
  assert.equal(invalid.status, 400);
  assert.match(invalid.body, /Suppressed role 'elsewhere'/);
  client.close();
  await client.end();
  const refused = await eventually(async () => {
    const a = await update(client, info);
    return a.status === 403 ? a : undefined;
  }, 3000, 'a 403 once the stream is gone');
  assert.equal(refused.body, 'Framework is not subscribed');
});
