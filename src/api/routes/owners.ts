/** /api/v1/owners: the people behind jobs and how they want to hear of them. */
import { z } from 'zod';
import { hideOwnerSecrets } from '../../core/channel-secrets.js';
import { name } from '../../core/job-spec.js';
import { ownerSpecSchema, validateOwnerSpec, type OwnerSpec, type StoredOwner } from '../../core/owner-spec.js';
import type { FieldError } from '../../core/job-spec.js';
import { requireLeader, runCommand, type ApiContext } from '../context.js';
import { fieldError, invalid, notFound } from '../errors.js';
import { route, type AnyRoute } from '../route.js';
import { errorSchema } from './schemas.js';

const nameParams = z.strictObject({ name: name('name') });

const iso = (t: number) => new Date(t).toISOString();

/** Channel secrets (routing key, Slack URL, webhook secret) never leave the server. */
export const ownerView = (owner: StoredOwner) => ({ ...hideOwnerSecrets(owner.spec), state: { createdAt: iso(owner.createdAt), updatedAt: iso(owner.updatedAt) } });

const ownerSchema = ownerSpecSchema.extend({ state: z.object({ createdAt: z.string(), updatedAt: z.string() }) });

/** Owner documents may carry the read-only `state` a GET returned, and a `kind: owner` from a job file. */
function withoutReadOnly(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const { state: _state, kind, ...rest } = raw as Record<string, unknown>;
  return kind === undefined || kind === 'owner' ? rest : raw;
}

function parseOwners(raw: unknown): OwnerSpec[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw fieldError(400, 'invalid', '(body)', 'no owners given');
  const errors: FieldError[] = [];
  const specs: OwnerSpec[] = [];
  list.forEach((item, i) => {
    const result = validateOwnerSpec(withoutReadOnly(item), Array.isArray(raw) ? [i] : []);
    if (result.ok) specs.push(result.value);
    else errors.push(...result.errors);
  });
  if (errors.length > 0) throw invalid(errors, Array.isArray(raw) ? 'owner list' : 'owner');
  return specs;
}

export function ownerRoutes(api: ApiContext): AnyRoute[] {
  const ownerOr404 = async (ownerName: string) => {
    const owner = await api.store.getOwner(ownerName);
    if (!owner) throw notFound(`owner ${ownerName}`);
    return owner;
  };
  return [
    route({
      method: 'GET',
      path: '/api/v1/owners',
      tag: 'owners',
      summary: 'List owners',
      responses: { 200: { description: 'All owners', schema: z.object({ owners: z.array(ownerSchema) }) } },
      handler: async () => ({ status: 200, body: { owners: (await api.store.listOwners()).map(ownerView) } }),
    }),
    route({
      method: 'POST',
      path: '/api/v1/owners',
      access: 'admin',
      tag: 'owners',
      summary: 'Create or replace one owner, or a list (all or none), by name',
      body: z.union([ownerSpecSchema, z.array(ownerSpecSchema)]),
      parseBody: (raw) => ({ list: Array.isArray(raw), specs: parseOwners(raw) }),
      responses: {
        200: { description: 'Replaced', schema: z.union([ownerSchema, z.object({ owners: z.array(ownerSchema) })]) },
        201: { description: 'Created (at least one was new)' },
        400: { description: 'Invalid, naming the field', schema: errorSchema },
      },
      handler: async ({ body, actor }) => {
        const { value, created } = await runCommand(api, actor, { kind: 'put-owners', specs: body.specs });
        const owners = value.map(ownerView);
        return { status: created ? 201 : 200, body: body.list ? { owners } : owners[0] };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/owners/{name}',
      tag: 'owners',
      summary: 'One owner',
      params: nameParams,
      responses: { 200: { description: 'The owner', schema: ownerSchema }, 404: { description: 'No such owner', schema: errorSchema } },
      handler: async ({ params }) => ({ status: 200, body: ownerView(await ownerOr404(params.name)) }),
    }),
    route({
      method: 'PUT',
      path: '/api/v1/owners/{name}',
      access: 'admin',
      tag: 'owners',
      summary: 'Create or replace an owner',
      params: nameParams,
      body: ownerSpecSchema,
      parseBody: (raw) => raw,
      responses: {
        200: { description: 'Replaced', schema: ownerSchema },
        201: { description: 'Created', schema: ownerSchema },
        400: { description: 'Invalid, naming the field', schema: errorSchema },
      },
      handler: async ({ params, body, actor }) => {
        if (!body || typeof body !== 'object' || Array.isArray(body)) throw fieldError(400, 'invalid', '(body)', 'must be one owner object');
        const record = body as Record<string, unknown>;
        if (typeof record.name === 'string' && record.name !== params.name) {
          throw invalid([{ field: 'name', message: `${JSON.stringify(record.name)} differs from the name in the path "${params.name}"` }], 'owner');
        }
        const [spec] = parseOwners({ ...record, name: record.name ?? params.name });
        const { value, created } = await runCommand(api, actor, { kind: 'put-owners', specs: [spec!] });
        return { status: created ? 201 : 200, body: ownerView(value[0]!) };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/owners/{name}/test',
      tag: 'owners',
      summary: 'Send a test notice on every channel of the owner, now; answers what each channel said',
      params: nameParams,
      responses: {
        200: {
          description: 'What each channel answered',
          schema: z.object({ owner: z.string(), results: z.array(z.object({ channel: z.string(), ok: z.boolean(), reason: z.string().optional() })) }),
        },
        404: { description: 'No such owner', schema: errorSchema },
        409: { description: 'The owner has no channel', schema: errorSchema },
      },
      handler: async ({ params, actor }) => {
        const { value: notices } = await runCommand(api, actor, { kind: 'test-notices', owner: params.name });
        const { notifier } = await requireLeader(api);
        const results = await Promise.all(notices.map((notice) => notifier.sendOnce(notice)));
        return {
          status: 200,
          body: { owner: params.name, results: results.map((r) => ({ channel: r.channel, ok: r.ok, ...(r.ok ? {} : { reason: r.reason }) })) },
        };
      },
    }),
    route({
      method: 'DELETE',
      path: '/api/v1/owners/{name}',
      access: 'admin',
      tag: 'owners',
      summary: 'Delete an owner (refused while jobs name it)',
      params: nameParams,
      responses: {
        200: { description: 'Deleted', schema: z.object({ deleted: z.string() }) },
        404: { description: 'No such owner', schema: errorSchema },
        409: { description: 'Jobs name it (named)', schema: errorSchema },
      },
      handler: async ({ params, actor }) => ({ status: 200, body: (await runCommand(api, actor, { kind: 'delete-owner', name: params.name })).value }),
    }),
  ];
}
