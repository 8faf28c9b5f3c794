/** The owner and graph verbs: `owners`, `owner get|delete|test <name>`, `graph <job>`. */
import { stringify as toYaml } from 'yaml';
import { CliError } from './client.js';
import { table } from './table.js';
import { print, type VerbContext } from './verb-context.js';

type OwnerJson = { name: string; email: string[]; pagerdutyRoutingKey?: string; slackWebhook?: string; webhook?: unknown; notifyOn: string[]; mute: boolean | string; optOut: string[] };

const enc = encodeURIComponent;

export async function listOwners(ctx: VerbContext): Promise<void> {
  const result = await ctx.client.request<{ owners: OwnerJson[] }>('GET', '/api/v1/owners');
  print(ctx, result, () =>
    table(
      ['NAME', 'CHANNELS', 'NOTIFY ON', 'MUTE', 'OPTED OUT OF'],
      result.owners.map((o) => [o.name, channelsOf(o).join(','), o.notifyOn.join(','), o.mute === false ? 'no' : String(o.mute), o.optOut.join(',')]),
    ),
  );
}

const channelsOf = (o: OwnerJson): string[] =>
  [o.email.length > 0 && 'email', o.pagerdutyRoutingKey && 'pagerduty', o.slackWebhook && 'slack', o.webhook && 'webhook'].filter((c): c is string => typeof c === 'string');

export async function owner(ctx: VerbContext, action: string | undefined, name: string | undefined): Promise<void> {
  if (!name || !action) throw new CliError('owner needs an action and a name: moroccron owner get|delete|test <name>');
  switch (action) {
    case 'get': {
      const found = await ctx.client.request<OwnerJson>('GET', `/api/v1/owners/${enc(name)}`);
      return print(ctx, found, () => toYaml(found).trimEnd());
    }
    case 'delete': {
      const result = await ctx.client.request<unknown>('DELETE', `/api/v1/owners/${enc(name)}`);
      return print(ctx, result, () => `${name} deleted`);
    }
    case 'test': {
      const result = await ctx.client.request<{ results: { channel: string; ok: boolean; reason?: string }[] }>('POST', `/api/v1/owners/${enc(name)}/test`);
      print(ctx, result, () => table(['CHANNEL', 'RESULT'], result.results.map((r) => [r.channel, r.ok ? 'sent' : `failed: ${r.reason ?? ''}`])));
      if (result.results.some((r) => !r.ok)) throw new CliError(`a test notice to ${name} could not be sent`, 1);
      return;
    }
    default:
      throw new CliError(`owner ${action}: use get, delete or test`);
  }
}

type Node = { name: string; state: string };

export async function graph(ctx: VerbContext, job: string): Promise<void> {
  const result = await ctx.client.request<{ job: Node; ancestors: Node[]; descendants: Node[]; edges: { from: string; to: string; kind: string }[] }>(
    'GET',
    `/api/v1/jobs/${enc(job)}/graph`,
  );
  print(ctx, result, () => {
    const nodes = table(['JOB', 'STATE', 'IS'], [[result.job.name, result.job.state, 'this job'], ...result.ancestors.map((n) => [n.name, n.state, 'upstream']), ...result.descendants.map((n) => [n.name, n.state, 'downstream'])]);
    const edges = result.edges.map((e) => (e.kind === 'after' ? `  ${e.to} runs after ${e.from}` : `  ${e.from} ${e.kind === 'onSuccess' ? 'on success' : 'on failure'} starts ${e.to}`));
    return `${nodes}\n\n${edges.join('\n') || '  (no edges)'}`;
  });
}
