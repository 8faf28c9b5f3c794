/** The audit log: one entry per command, in the same batch as the change it records (or the refusal). */
import { nextRunId, persist, type Ctx } from './context.js';
import type { Actor, AuditEntry, Command, CommandResult } from './types.js';

export function recordAudit(ctx: Ctx, actor: Actor, command: Command, result: CommandResult): void {
  const entry: AuditEntry = {
    id: `a${nextRunId(ctx)}`,
    at: ctx.now,
    actor: { tokenId: actor.tokenId, name: actor.name, role: actor.role, address: actor.address },
    action: command.kind,
    targets: targetsOf(command, result),
    outcome: result.ok ? 'done' : 'refused',
    status: result.ok ? (result.created ? 201 : 200) : result.status,
    detail: result.ok ? null : result.message,
  };
  persist(ctx, { op: 'put-audit', entry });
}

function targetsOf(command: Command, result: CommandResult): string[] {
  switch (command.kind) {
    case 'put-jobs':
    case 'put-owners':
      return command.specs.map((s) => s.name);
    case 'run-job':
      // The run it started, too: the audit line leads to the run.
      return result.ok && result.kind === 'run-job' ? [command.name, result.value.id] : [command.name];
    case 'delete-job':
    case 'pause-job':
    case 'resume-job':
    case 'delete-owner':
      return [command.name];
    case 'kill-run':
      return [command.runId];
    case 'blacklist-agent':
    case 'unblacklist-agent':
      return [command.agent];
    case 'teardown':
      return [command.frameworkId];
    case 'test-notices':
      return [command.owner];
  }
}
