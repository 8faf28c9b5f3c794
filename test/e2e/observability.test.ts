/** What operators look at: health, readiness, metrics, the event stream, OpenAPI, cluster. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { api, eventually, startServerProcess, tempDir, type ServerProcess } from '../helpers/server-process.js';

const dir = tempDir();
let server: ServerProcess;
before(async () => {
  server = await startServerProcess(join(dir.path, 'data'));
});
after(async () => {
  await server.stop();
  dir.remove();
});

test('healthz and readyz answer', async () => {
  assert.deepEqual((await api(`${server.url}/healthz`)).body, { status: 'ok' });
  assert.deepEqual((await api(`${server.url}/readyz`)).body, { status: 'ready', role: 'leader' });
});

test('/api/v1/events streams job and run changes as server-sent events', async () => {
  const controller = new AbortController();
  const response = await fetch(`${server.url}/api/v1/events?job=streamed`, { signal: controller.signal });
  assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = response.body!.getReader();
  const seen: { event: string; data: { kind: string; run?: { status: string } } }[] = [];
  const reading = (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += Buffer.from(value).toString();
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event && data) seen.push({ event, data: JSON.parse(data) });
      }
    }
  })().catch(() => {});
  await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'streamed', command: 'echo hi' });
  await api(`${server.url}/api/v1/jobs`, 'POST', { name: 'not-streamed', command: 'echo hi' });
  await api(`${server.url}/api/v1/jobs/streamed/run`, 'POST');
  await eventually(async () => (seen.some((e) => e.data.run?.status === 'succeeded') ? true : undefined), 5000, 'a succeeded run event');
  controller.abort();
  await reading;
  assert.equal(seen[0]?.event, 'job');
  const statuses = seen.filter((e) => e.event === 'run').map((e) => e.data.run!.status);
  assert.deepEqual(statuses, ['queued', 'launching', 'running', 'succeeded']);
  assert.ok(!seen.some((e) => JSON.stringify(e.data).includes('not-streamed')), 'the job filter let another job through');
});

test('/metrics has runs by status, the skew histogram, queue depth and loop latency', async () => {
  const response = await fetch(`${server.url}/metrics`);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await response.text();
  for (const metric of [
    'moroccron_runs_finished_total{status="succeeded"}',
    'moroccron_runs_active{status="running"}',
    'moroccron_run_start_skew_seconds_bucket',
    'moroccron_loop_queue_depth',
    'moroccron_loop_batch_seconds_bucket',
    'moroccron_runs_waiting_for_capacity',
    'moroccron_jobs',
    'moroccron_leader 1',
    'moroccron_runs_unreachable 0',
    'moroccron_history_backlog_runs 0',
  ]) {
    assert.ok(text.includes(metric), `missing ${metric}`);
  }
});

test('/openapi.json documents every route with the job spec schema', async () => {
  const { body } = await api<{ openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>> }>(
    `${server.url}/openapi.json`,
  );
  assert.equal(body.openapi, '3.1.0');
  for (const path of ['/api/v1/jobs', '/api/v1/jobs/{name}', '/api/v1/jobs/{name}/run', '/api/v1/runs', '/api/v1/runs/{id}/logs', '/api/v1/cluster', '/api/v1/events', '/metrics']) {
    assert.ok(body.paths[path], `no ${path}`);
  }
  const schema = JSON.stringify(body.paths['/api/v1/jobs/{name}']!.put!.requestBody!.content['application/json']!.schema);
  for (const field of ['schedule', 'timezone', 'misfire', 'concurrency', 'retries', 'constraints', 'placement', 'after', 'triggers', 'notify', 'sla']) {
    assert.ok(schema.includes(`"${field}"`), `the job schema lacks ${field}`);
  }
});

test('/api/v1/cluster and /api/v1/agents describe this single-host server', async () => {
  const cluster = await api<{ isLeader: boolean; backend: string; epoch: number; self: { url: string }; store: string }>(`${server.url}/api/v1/cluster`);
  assert.equal(cluster.body.isLeader, true);
  assert.equal(cluster.body.backend, 'local');
  assert.equal(cluster.body.self.url, server.url);
  assert.ok(cluster.body.epoch >= 1);
  assert.match(cluster.body.store, /^sqlite:.*moroccron\.db$/);
  const agents = await api<{ agents: { id: string; resources: { cpus: number; mem: number } }[] }>(`${server.url}/api/v1/agents`);
  assert.equal(agents.body.agents.length, 1);
  assert.ok(agents.body.agents[0]!.resources.cpus >= 1 && agents.body.agents[0]!.resources.mem > 0);
});

test('SIGTERM with an event stream open: the stream ends and the server stops at once, not after its grace time', async () => {
  const dir = tempDir();
  const own = await startServerProcess(dir.path);
  try {
    const response = await fetch(`${own.url}/api/v1/events`);
    const reader = response.body!.getReader();
    await reader.read();
    const started = Date.now();
    own.child.kill('SIGTERM');
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read());
    await own.exited;
    const tookMs = Date.now() - started;
    assert.ok(tookMs < 5000, `stopping took ${tookMs} ms`);
    assert.doesNotMatch(own.output(), /shutdown took longer/);
  } finally {
    await own.stop().catch(() => {});
    dir.remove();
  }
});
