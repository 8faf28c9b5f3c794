/**
 * Channel and trigger secrets leave the server as `***`, and a `***` sent back keeps what the
 * server holds: an owner's PagerDuty key, Slack URL and webhook secret; a trigger's webhook secret.
 *
 * Run: node --import tsx --test test/unit/channel-secrets.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ownerView } from '../../src/api/routes/owners.js';
import { jobView } from '../../src/api/views.js';
import { DEFAULT_ENV_REDACTION } from '../../src/core/env-redaction.js';
import { validateOwnerSpec } from '../../src/core/owner-spec.js';
import type { OwnerSpec } from '../../src/core/types.js';
import { FakeScheduler, spec } from '../helpers/fake-scheduler.js';

function owner(input: Record<string, unknown>): OwnerSpec {
  const result = validateOwnerSpec(input);
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
}

const SECRETS = { pagerdutyRoutingKey: 'R0UTING-KEY-1234', slackWebhook: 'https://hooks.slack.test/services/T0/B0/xyz', webhook: { url: 'https://ops.test/hook', secret: 'whsec-1' } };

test("an owner's channel secrets are shown as ***; sent back, they keep what the server holds", () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  const put = fake.command({ kind: 'put-owners', specs: [owner({ name: 'ops', ...SECRETS })] });
  assert.ok(put.ok);
  const shown = ownerView(put.value[0]!);
  assert.equal(shown.pagerdutyRoutingKey, '***');
  assert.equal(shown.slackWebhook, '***');
  assert.deepEqual(shown.webhook, { url: 'https://ops.test/hook', secret: '***' });
  assert.doesNotMatch(JSON.stringify(shown), /R0UTING|xyz|whsec/);

  const { state: _state, ...sentBack } = shown;
  const again = fake.command({ kind: 'put-owners', specs: [owner({ ...sentBack, notifyOn: ['failure'] })] });
  assert.ok(again.ok, JSON.stringify(again));
  assert.deepEqual({ ...fake.state.owners.get('ops')!.spec, notifyOn: undefined }, { ...owner({ name: 'ops', ...SECRETS }), notifyOn: undefined }, 'the secrets the server held are kept');

  const moved = fake.command({ kind: 'put-owners', specs: [owner({ name: 'ops', webhook: { url: 'https://elsewhere.test/hook', secret: '***' } })] });
  assert.ok(!moved.ok && moved.status === 400);
  assert.deepEqual(moved.details?.map((d) => d.field), ['webhook.secret'], 'a new URL takes a new secret');
  const fresh = fake.command({ kind: 'put-owners', specs: [owner({ name: 'new-team', pagerdutyRoutingKey: '***' })] });
  assert.ok(!fresh.ok && fresh.status === 400);
  assert.deepEqual(fresh.details?.map((d) => d.field), ['pagerdutyRoutingKey']);
});

test("a trigger webhook's secret is shown as ***; sent back for the same URL it is kept, for a new one refused", () => {
  const fake = new FakeScheduler({ start: '2026-01-01T10:00:00.000Z' });
  const hook = { url: 'https://warehouse.test/loaded', secret: 'trigger-secret-9' };
  const put = fake.putJobs(spec({ name: 'load', triggers: { onSuccess: [hook, 'report'], onFailure: [] } }), spec({ name: 'report' }));
  assert.ok(put.ok);
  const shown = jobView(put.value[0]!.job, null, DEFAULT_ENV_REDACTION);
  assert.deepEqual(shown.triggers.onSuccess, [{ url: hook.url, secret: '***' }, 'report']);

  const back = fake.putJobs(spec({ name: 'load', triggers: { onSuccess: [{ url: hook.url, secret: '***' }, 'report'], onFailure: [] }, description: 'changed' }));
  assert.ok(back.ok, JSON.stringify(back));
  assert.deepEqual(fake.state.jobs.get('load')!.stored.spec.triggers.onSuccess[0], hook);

  const other = fake.putJobs(spec({ name: 'load', triggers: { onSuccess: [], onFailure: [{ url: 'https://other.test/x', secret: '***' }] } }));
  assert.ok(!other.ok && other.status === 400);
  assert.deepEqual(other.details?.map((d) => d.field), ['triggers.onFailure[0].secret']);
});
