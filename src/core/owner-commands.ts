/**
 * Owners through the loop, like jobs: created or replaced all or none, and fenced. An owner
 * whose channel this server cannot use is refused (naming the field), never kept to fail later.
 */
import { restoreOwnerSecrets } from './channel-secrets.js';
import { conflict, invalid, notFound, ok } from './command-results.js';
import { nextNoticeId, persist, type Ctx } from './context.js';
import { testNotices } from './notices.js';
import type { FieldError } from './job-spec.js';
import type { CommandResult, OwnerSpec, StoredOwner } from './types.js';

export function putOwners(ctx: Ctx, specs: OwnerSpec[]): CommandResult<'put-owners'> {
  const prefix = (i: number) => (specs.length > 1 ? `[${i}].` : '');
  const errors: FieldError[] = [];
  const names = new Set<string>();
  specs.forEach((spec, i) => {
    if (names.has(spec.name)) errors.push({ field: `${prefix(i)}name`, message: 'duplicate name' });
    names.add(spec.name);
    if (spec.email.length > 0 && !ctx.s.config.emailConfigured) {
      errors.push({ field: `${prefix(i)}email`, message: 'this server sends no e-mail: start it with --smtp-url (and --mail-from)' });
    }
  });
  const restored: OwnerSpec[] = [];
  specs.forEach((spec, i) => {
    const result = restoreOwnerSecrets(spec, ctx.s.owners.get(spec.name)?.spec, prefix(i));
    if (result.ok) restored.push(result.value);
    else errors.push(...result.errors);
  });
  if (errors.length > 0) return invalid(errors);
  let created = false;
  const stored = restored.map((spec): StoredOwner => {
    const before = ctx.s.owners.get(spec.name);
    created ||= before === undefined;
    const owner = { spec, createdAt: before?.createdAt ?? ctx.now, updatedAt: ctx.now };
    ctx.s.owners.set(spec.name, owner);
    persist(ctx, { op: 'put-owner', owner });
    return owner;
  });
  return ok('put-owners', stored, created);
}

export function testOwnerNotices(ctx: Ctx, name: string): CommandResult<'test-notices'> {
  const owner = ctx.s.owners.get(name);
  if (!owner) return notFound(`owner ${name}`);
  const notices = testNotices(owner.spec, ctx.now, () => nextNoticeId(ctx));
  if (notices.length === 0) return conflict(`owner ${name} has no channel to test: give it email, slackWebhook, pagerdutyRoutingKey or webhook`);
  return ok('test-notices', notices);
}

export function deleteOwner(ctx: Ctx, name: string): CommandResult<'delete-owner'> {
  if (!ctx.s.owners.has(name)) return notFound(`owner ${name}`);
  const users = [...ctx.s.jobs.values()].filter((e) => e.stored.spec.owners.includes(name)).map((e) => e.stored.spec.name);
  if (users.length > 0) return conflict(`owner ${name} owns ${users.join(', ')}: take it off those jobs first`);
  ctx.s.owners.delete(name);
  persist(ctx, { op: 'delete-owner', name });
  return ok('delete-owner', { deleted: name });
}
