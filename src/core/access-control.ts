/**
 * Who may do what, decided in update() against the state the command would change, so the
 * check and the change cannot drift apart. viewer: nothing here (every command changes
 * something); operator: the jobs (and runs, and test notices) of its owners, never as root;
 * admin: all.
 * Route handlers refuse by role before a command is sent; this is where ownership is judged.
 */
import { failure } from './command-results.js';
import type { Ctx } from './context.js';
import type { Actor, Command, CommandFailure } from './types.js';

const ADMIN_ONLY: ReadonlySet<Command['kind']> = new Set(['blacklist-agent', 'unblacklist-agent', 'teardown', 'put-owners', 'delete-owner']);

/** Why the actor may not run the command, or null when it may. */
export function refusal(ctx: Ctx, actor: Actor, command: Command): CommandFailure | null {
  if (actor.role === 'admin') return null;
  if (actor.role === 'viewer') return forbidden(`a viewer token only reads; ${command.kind} needs an operator or admin token`);
  if (ADMIN_ONLY.has(command.kind)) return forbidden(`${command.kind} needs an admin token`);
  switch (command.kind) {
    case 'put-jobs':
      for (const spec of command.specs) {
        const existing = ctx.s.jobs.get(spec.name)?.stored.spec;
        const refused = (existing && outsideOwners(actor, spec.name, existing.owners, 'now')) ?? outsideOwners(actor, spec.name, spec.owners, 'after');
        if (refused) return refused;
        // Whoever may write a root job owns the host: that is an admin's call.
        if (spec.user === 'root') return forbidden(`job ${spec.name} would run as root; only an admin token may ask for that`);
      }
      return null;
    case 'delete-job':
    case 'run-job':
    case 'pause-job':
    case 'resume-job':
      return jobOutsideOwners(ctx, actor, command.name);
    case 'kill-run': {
      const run = ctx.s.runs.get(command.runId);
      return run ? jobOutsideOwners(ctx, actor, run.job) : null;
    }
    case 'test-notices':
      return actor.owners.includes(command.owner) ? null : forbidden(`this token acts for ${listOf(actor.owners)}, not for owner ${command.owner}`);
    default:
      return forbidden(`${command.kind} needs an admin token`);
  }
}

function jobOutsideOwners(ctx: Ctx, actor: Actor, job: string): CommandFailure | null {
  const spec = ctx.s.jobs.get(job)?.stored.spec;
  // An unknown job: the command itself answers 404.
  return spec ? outsideOwners(actor, job, spec.owners, 'now') : null;
}

/**
 * A 403 naming the owners the job has (`now`), or would have once changed (`after`), that the
 * token does not act for; null when they share one.
 */
function outsideOwners(actor: Actor, job: string, owners: readonly string[], when: 'now' | 'after'): CommandFailure | null {
  if (owners.some((o) => actor.owners.includes(o))) return null;
  const acts = `this token acts for ${listOf(actor.owners)}`;
  if (owners.length === 0) {
    return forbidden(`job ${job} ${when === 'now' ? 'has' : 'would have'} no owners, so only an admin token may change it; ${acts}`);
  }
  return forbidden(`job ${job} ${when === 'now' ? 'belongs to' : 'would belong to'} ${listOf(owners)}; ${acts}`);
}

const forbidden = (message: string): CommandFailure => failure(403, 'forbidden', message);

const listOf = (names: readonly string[]): string => (names.length === 0 ? 'no owner' : names.join(', '));

/** The server acting for itself (the --seed file) or a test: an admin without a token. */
export const systemActor = (name: string): Actor => ({ tokenId: null, name, role: 'admin', owners: [], address: null });
