/**
 * A minimal framework for measuring the Mesos sim alone (bench/mesos-throughput.ts --sim-only):
 * it launches `rate` tasks at every second boundary into whatever offers come, acknowledges
 * every update at once over a few keep-alive sockets, and counts acknowledged TASK_RUNNING.
 * It stores nothing and decides nothing, so what limits it is the sim (and the shared CPU).
 */
import { Agent, request } from 'node:http';
import { RecordIODecoder } from '../src/mesos/recordio.js';
import type { Event, Offer, TaskStatus } from '../src/mesos/types.js';

const TASK_CPUS = 0.01;
const TASK_MEM = 1;

export interface DriverReport {
  /** TASK_RUNNING acknowledgements sent, by second since the driver started launching. */
  ackedRunningBySecond: number[];
  /** Due (the second boundary it was queued at) → its TASK_RUNNING acknowledged, ms. */
  dueToRunningMs: number[];
  accepts: number;
  tasksLaunched: number;
}

export async function driveSim(masterUrl: string, rate: number, seconds: number): Promise<DriverReport> {
  const calls = new Agent({ keepAlive: true, maxSockets: 8 });
  let frameworkId = '';
  let streamId = '';
  const post = (body: object, stream = false): Promise<import('node:http').IncomingMessage> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
      if (!stream) headers['Mesos-Stream-Id'] = streamId;
      const req = request(`${masterUrl}/api/v1/scheduler`, { method: 'POST', headers, agent: stream ? undefined : calls }, resolve);
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  const call = async (type: string, body: object): Promise<void> => {
    const res = await post({ type, framework_id: { value: frameworkId }, ...body });
    res.resume();
    if (res.statusCode !== 202) throw new Error(`${type}: ${res.statusCode}`);
  };

  const pending: { id: string; dueAt: number }[] = [];
  const dueAtOf = new Map<string, number>();
  const report: DriverReport = { ackedRunningBySecond: [], dueToRunningMs: [], accepts: 0, tasksLaunched: 0 };
  let origin = 0;
  let nextId = 0;

  const onOffers = (offers: readonly Offer[]): void => {
    for (const offer of offers) {
      const cpus = offer.resources.find((r) => r.name === 'cpus')?.scalar?.value ?? 0;
      const fit = Math.min(pending.length, Math.floor(cpus / TASK_CPUS + 1e-9));
      if (fit === 0) {
        void call('DECLINE', { decline: { offer_ids: [offer.id], filters: { refuse_seconds: 1 } } });
        continue;
      }
      const role = offer.allocation_info?.role ?? '*';
      const resources = (name: string, value: number) => ({ name, type: 'SCALAR', scalar: { value }, role: '*', allocation_info: { role } });
      const tasks = pending.splice(0, fit).map((t) => {
        dueAtOf.set(t.id, t.dueAt);
        return { name: t.id, task_id: { value: t.id }, agent_id: offer.agent_id, resources: [resources('cpus', TASK_CPUS), resources('mem', TASK_MEM)], command: { shell: true, value: 'true' } };
      });
      report.accepts++;
      report.tasksLaunched += tasks.length;
      void call('ACCEPT', { accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }], filters: { refuse_seconds: 0 } } });
    }
  };

  const onUpdate = (status: TaskStatus): void => {
    if (!status.uuid) return;
    void call('ACKNOWLEDGE', { acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } });
    if (status.state !== 'TASK_RUNNING' || origin === 0) return;
    const now = Date.now();
    const second = Math.floor((now - origin) / 1000);
    while (report.ackedRunningBySecond.length <= second) report.ackedRunningBySecond.push(0);
    report.ackedRunningBySecond[second]!++;
    const dueAt = dueAtOf.get(status.task_id.value);
    if (dueAt !== undefined) report.dueToRunningMs.push(now - dueAt);
    dueAtOf.delete(status.task_id.value);
  };

  const subscribed = new Promise<void>((resolve, reject) => {
    const subscribe = { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'bench', name: 'sim-driver', roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }], failover_timeout: 60, checkpoint: true } } };
    post(subscribe, true).then((res) => {
      streamId = String(res.headers['mesos-stream-id']);
      const decoder = new RecordIODecoder();
      res.on('data', (chunk: Buffer) => {
        for (const record of decoder.push(chunk)) {
          const event = JSON.parse(record.toString('utf8')) as Event;
          if (event.type === 'SUBSCRIBED') {
            frameworkId = event.subscribed.framework_id.value;
            resolve();
          } else if (event.type === 'OFFERS') onOffers(event.offers.offers ?? []);
          else if (event.type === 'UPDATE') onUpdate(event.update.status);
        }
      });
    }, reject);
  });
  await subscribed;

  origin = Math.ceil(Date.now() / 1000) * 1000 + 1000;
  for (let s = 0; s < seconds; s++) {
    const at = origin + s * 1000;
    await new Promise((r) => setTimeout(r, at - Date.now()));
    for (let i = 0; i < rate; i++) pending.push({ id: `drv-${nextId++}`, dueAt: at });
    void call('REVIVE', { revive: {} });
  }
  await new Promise((r) => setTimeout(r, 3000));
  await call('TEARDOWN', {});
  calls.destroy();
  return report;
}
