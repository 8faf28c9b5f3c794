/**
 * A run's life: claimed durably, queued until due and until it fits, launched, started,
 * finished (and maybe retried), or killed.
 */
import { claim } from './claims.js';
import { emit, log, newRun, saveRun, type Ctx } from './context.js';
import { missingParents, release } from './dependencies.js';
import { onRunFinished } from './outcomes.js';
import { armSla } from './sla.js';
import { enqueue, leastWaitingNeed, leaveLine, leaveLineAt, makeDueOrWait, placementMayChange } from './waiting-line.js';
import { formatDuration } from './duration.js';
import { add, fits, shortfall, subtract } from './resources.js';
import { retryDelay } from './retry.js';
import { removeActive, type JobEntry } from './state.js';
import { isTerminal, type Message, type Resources, type Run } from './types.js';

export function onClaimed(ctx: Ctx, accepted: string[], refused: string[]): void {
  const s = ctx.s;
  for (const id of refused) {
    const run = s.claiming.get(id);
    s.claiming.delete(id);
    if (!run) continue;
    forget(ctx, run);
    log(ctx, 'warn', `claim of ${run.job} ${run.key} refused: the store already holds that run`, { runId: id });
  }
  for (const id of accepted) {
    const run = s.claiming.get(id);
    s.claiming.delete(id);
    if (!run) continue;
    emit(ctx, { type: 'publish', event: { kind: 'run', run: { ...run } } });
    if (isTerminal(run.status)) continue;
    armSla(ctx, run);
    if (run.status === 'queued') makeDueOrWait(ctx, run);
    // Its parents may have succeeded while the claim was on its way.
    else if (run.status === 'waiting') releaseIfReady(ctx, run.job);
  }
}

function releaseIfReady(ctx: Ctx, job: string): void {
  const entry = ctx.s.jobs.get(job);
  if (entry) release(ctx, entry);
}

const isStarted = (run: Pick<Run, 'status'>): boolean => run.status === 'launching' || run.status === 'running';

function startedRuns(ctx: Ctx, entry: JobEntry): number {
  let n = 0;
  for (const id of entry.active) {
    const run = ctx.s.runs.get(id);
    if (run && isStarted(run)) n++;
  }
  return n;
}

/** Whether a run of the job is launching or running (on `agent`, when given). */
function hasStartedRun(ctx: Ctx, entry: JobEntry, agent?: string | null): boolean {
  for (const id of entry.active) {
    const run = ctx.s.runs.get(id);
    if (run && isStarted(run) && (agent === undefined || run.agent === agent)) return true;
  }
  return false;
}

/**
 * Launch what fits, best first. A run that does not fit is passed over, so smaller runs
 * behind it can still go; a run bigger than the whole agent fails at once. Without a
 * capacity of our own (Mesos), every due run goes to the backend, which packs offers.
 * The pass ends once what is free fits no run in line (leastWaitingNeed): on a full host
 * each run that ends lets one in, and the thousands behind it are not looked at.
 */
export function place(ctx: Ctx): void {
  const s = ctx.s;
  if (s.placedAtChange === s.placementChanges) return;
  const capacity = s.capacity;
  for (const id of s.joinedLine.splice(0)) {
    const run = s.runs.get(id);
    if (run && s.inLine.has(id)) unfitForLine(ctx, run, capacity);
  }
  let free = capacity ? subtract(capacity.resources, s.used) : null;
  const least = free ? leastWaitingNeed(ctx) : null;
  const nothingFits = (): boolean => free !== null && least !== null && !fits(least, free);
  for (let i = 0; i < s.waiting.length && !nothingFits(); ) {
    const run = s.runs.get(s.waiting[i]!);
    if (!run) {
      leaveLineAt(ctx, i);
      continue;
    }
    if (unfitForLine(ctx, run, capacity, i)) continue;
    const entry = s.jobs.get(run.job)!;
    const spec = entry.stored.spec;
    const need = spec.resources;
    // concurrency: forbid never has two runs of a job going at once (per agent for
    // every-agent jobs); catch-up runs wait in line. On this host, UNIQUE or MAX_PER cap them too.
    const forbidden = spec.concurrency === 'forbid' && hasStartedRun(ctx, entry, spec.placement === 'every-agent' ? run.agent : undefined);
    const cap = capacity === null ? Infinity : entry.runsAtOnceHere;
    const capped = cap !== Infinity && startedRuns(ctx, entry) >= cap;
    if (forbidden || capped || (free && !fits(need, free))) {
      i++;
      continue;
    }
    leaveLineAt(ctx, i);
    if (capacity && free) {
      const held = resourcesOf(need);
      s.allocated.set(run.id, held);
      s.used = add(s.used, held);
      free = subtract(free, held);
      run.agent = capacity.id;
    }
    run.status = 'launching';
    emit(ctx, { type: 'launch', run: saveRun(ctx, run), spec });
  }
  s.placedAtChange = s.placementChanges;
}

/**
 * Take a run out of the line if it has no business there: ended meanwhile, its job gone
 * (killed), or bigger than the whole agent (failed). `index`: where it is in the line, if known.
 */
function unfitForLine(ctx: Ctx, run: Run, capacity: Ctx['s']['capacity'], index?: number): boolean {
  const entry = ctx.s.jobs.get(run.job);
  const leave = (): void => (index === undefined ? leaveLine(ctx, run.id) : leaveLineAt(ctx, index));
  if (run.status !== 'queued') {
    leave();
    return true;
  }
  if (!entry) {
    leave();
    finish(ctx, run, { status: 'killed', reason: 'job deleted before the run started', exitCode: null });
    return true;
  }
  const need = entry.stored.spec.resources;
  if (capacity && !fits(need, capacity.resources)) {
    leave();
    finish(ctx, run, { status: 'failed', reason: `needs more than agent ${capacity.id} has (${shortfall(need, capacity.resources)})`, exitCode: null });
    return true;
  }
  return false;
}

export const resourcesOf = (r: Resources): Resources => ({ cpus: r.cpus, mem: r.mem, disk: r.disk, gpus: r.gpus });

export function onStarted(ctx: Ctx, runId: string, agent: string, taskId: string | null): void {
  const run = ctx.s.runs.get(runId);
  if (!run || isTerminal(run.status)) {
    // Its run ended (lost while its agent was away, killed, deleted): this copy must not run on.
    const reason = `run ${runId} has already ended; its task reported running on ${agent}`;
    log(ctx, 'warn', `killing a stray task: ${reason}`, { runId, taskId });
    emit(ctx, { type: 'kill-stray', runId, taskId, agent, reason });
    return;
  }
  const wasRunning = run.status === 'running';
  if (ctx.s.unreachable.delete(runId)) log(ctx, 'info', `agent ${agent} is reachable again; run ${runId} carries on`, { runId });
  run.status = 'running';
  run.agent = agent;
  run.taskId = taskId ?? run.taskId;
  if (run.startedAt === null) run.startedAt = ctx.now;
  const timeoutMs = ctx.s.jobs.get(run.job)?.timing.timeoutMs ?? null;
  if (timeoutMs !== null && run.deadline === null) run.deadline = run.startedAt + timeoutMs;
  if (run.deadline !== null) ctx.s.timers.push({ at: run.deadline, kind: 'deadline', runId: run.id });
  if (!wasRunning) {
    saveRun(ctx, run);
    armSla(ctx, run);
  }
}

export function onExited(ctx: Ctx, exited: Extract<Message, { type: 'run-exited' }>): void {
  const { exitCode, signal, reason, memoryLimitMiB } = exited;
  const run = ctx.s.runs.get(exited.runId);
  if (!run) return;
  if (exited.usage !== undefined) run.usage = exited.usage;
  if (run.killReason !== null) {
    finish(ctx, run, killedOutcome(run, exitCode));
  } else if (exitCode === 0) {
    finish(ctx, run, { status: 'succeeded', reason: null, exitCode });
  } else if (memoryLimitMiB !== undefined) {
    finish(ctx, run, { status: 'failed', reason: `memory limit (${memoryLimitMiB} MiB) exceeded`, exitCode });
  } else {
    const why = signal ? `killed by ${signal}` : exitCode !== null ? `exit code ${exitCode}` : (reason ?? 'ended without an exit status');
    finish(ctx, run, { status: 'failed', reason: why, exitCode });
  }
}

/** Where the backend put a launching run: kept, so a new leader can tell a placed task from one never sent. */
export function onPlaced(ctx: Ctx, runId: string, agent: string, taskId: string): void {
  const run = ctx.s.runs.get(runId);
  if (!run || run.status !== 'launching' || (run.agent === agent && run.taskId === taskId)) return;
  run.agent = agent;
  run.taskId = taskId;
  saveRun(ctx, run);
}

/** How a run that was being killed ended: a timeout is a failure, anything else a kill. */
const killedOutcome = (run: Run, exitCode: number | null): Outcome => ({
  status: run.killReason!.startsWith('timed out') ? 'failed' : 'killed',
  reason: run.killReason,
  exitCode,
});

export function onLost(ctx: Ctx, runId: string, reason: string): void {
  const run = ctx.s.runs.get(runId);
  if (run) finish(ctx, run, run.killReason !== null ? killedOutcome(run, null) : { status: 'lost', reason, exitCode: null });
}

export function onLaunchFailed(ctx: Ctx, runId: string, reason: string): void {
  const run = ctx.s.runs.get(runId);
  if (run) finish(ctx, run, run.killReason !== null ? killedOutcome(run, null) : { status: 'failed', reason: `launch failed: ${reason}`, exitCode: null });
}

/** The backend found no trace of a launching run: it never began, so it may start now. */
export function onNotStarted(ctx: Ctx, runId: string): void {
  const run = ctx.s.runs.get(runId);
  if (!run || run.status !== 'launching') return;
  if (run.killReason !== null) {
    finish(ctx, run, killedOutcome(run, null));
    return;
  }
  releaseResources(ctx, run);
  run.status = 'queued';
  run.agent = null;
  saveRun(ctx, run);
  enqueue(ctx, run);
}

/**
 * The run may still be going where nobody can see it (a partition, or a master that does not
 * know its task yet). It waits up to the unreachable timeout, counted from the first report:
 * later reports of the same absence do not extend it.
 */
export function onUnreachable(ctx: Ctx, runId: string, agent: string, since: number, why?: string): void {
  const run = ctx.s.runs.get(runId);
  if (!run || !isStarted(run) || ctx.s.unreachable.has(runId)) return;
  ctx.s.unreachable.set(runId, since);
  const timeout = ctx.s.config.unreachableTimeoutMs;
  const what = why ?? `agent ${agent} is unreachable`;
  log(ctx, 'warn', `run ${runId} (${run.job}): ${what}; it counts as lost after ${formatDuration(timeout)} unless it is heard from`, { runId });
  ctx.s.timers.push({ at: since + timeout, kind: 'unreachable', runId, since });
}

/** Unreachable for too long: lost (and retried), and its task killed should the agent return. */
export function onUnreachableTooLong(ctx: Ctx, runId: string, since: number): void {
  const run = ctx.s.runs.get(runId);
  if (!run || ctx.s.unreachable.get(runId) !== since) return;
  const reason = `agent ${run.agent ?? 'unknown'} unreachable since ${new Date(since).toISOString()}, over ${formatDuration(ctx.s.config.unreachableTimeoutMs)}`;
  emit(ctx, { type: 'kill', run: { ...run }, gracePeriodMs: ctx.s.jobs.get(run.job)?.timing.killGraceMs ?? 10_000, reason });
  onLost(ctx, runId, reason);
}

export function onDeadline(ctx: Ctx, runId: string, at: number): void {
  const run = ctx.s.runs.get(runId);
  if (!run || run.deadline !== at || !isStarted(run) || run.killReason !== null) return;
  const entry = ctx.s.jobs.get(run.job);
  run.killReason = `timed out after ${formatDuration(entry?.timing.timeoutMs ?? at - (run.startedAt ?? at))}`;
  emit(ctx, { type: 'kill', run: saveRun(ctx, run), gracePeriodMs: entry?.timing.killGraceMs ?? 10_000, reason: run.killReason });
}

/** Stop a run: one not yet launched ends at once, one launched is killed by the backend. */
export function stop(ctx: Ctx, run: Run, reason: string): void {
  if (run.status === 'queued' || run.status === 'waiting') {
    leaveLine(ctx, run.id);
    finish(ctx, run, { status: 'killed', reason, exitCode: null });
    return;
  }
  if (!isStarted(run)) return;
  run.killReason = reason;
  const grace = ctx.s.jobs.get(run.job)?.timing.killGraceMs ?? 10_000;
  emit(ctx, { type: 'kill', run: saveRun(ctx, run), gracePeriodMs: grace, reason });
}

interface Outcome {
  status: 'succeeded' | 'failed' | 'killed' | 'lost' | 'skipped';
  reason: string | null;
  exitCode: number | null;
}

function finish(ctx: Ctx, run: Run, outcome: Outcome): void {
  // Its job's other runs may go now (concurrency), and its resources are free.
  placementMayChange(ctx);
  releaseResources(ctx, run);
  run.status = outcome.status;
  run.reason = outcome.reason;
  run.exitCode = outcome.exitCode;
  run.finishedAt = ctx.now;
  saveRun(ctx, run);
  forget(ctx, run);
  ctx.s.toPrune.add(run.job);
  const retried = (outcome.status === 'failed' || outcome.status === 'lost') && retry(ctx, run);
  onRunFinished(ctx, run, retried);
}

/** A time-gated run whose parents did not succeed within its misfire window is skipped. */
export function onWaitExpired(ctx: Ctx, runId: string): void {
  const run = ctx.s.runs.get(runId);
  const entry = run && ctx.s.jobs.get(run.job);
  if (!run || !entry || run.status !== 'waiting') return;
  const missing = missingParents(ctx, entry);
  finish(ctx, run, { status: 'skipped', reason: `waited for ${missing.join(', ')} to succeed until its misfire window (${formatDuration(entry.timing.misfireWindowMs)}) closed`, exitCode: null });
}

function releaseResources(ctx: Ctx, run: Run): void {
  const held = ctx.s.allocated.get(run.id);
  if (!held) return;
  placementMayChange(ctx);
  ctx.s.allocated.delete(run.id);
  ctx.s.used = subtract(ctx.s.used, held);
}

function forget(ctx: Ctx, run: Run): void {
  ctx.s.runs.delete(run.id);
  ctx.s.unreachable.delete(run.id);
  const entry = ctx.s.jobs.get(run.job);
  if (entry) removeActive(entry, run.id);
}

/** Claim the next attempt when the policy allows one; says whether it did. */
function retry(ctx: Ctx, failed: Run): boolean {
  const entry = ctx.s.jobs.get(failed.job);
  if (!entry) return false;
  const { retries } = entry.stored.spec;
  if (failed.attempt > retries.max) return false;
  const delay = retryDelay(
    { backoffMs: entry.timing.backoffMs, factor: retries.factor, maxBackoffMs: entry.timing.maxBackoffMs, jitter: retries.jitter },
    failed.attempt,
    failed.rootId,
  );
  const next = newRun(ctx, entry.stored.spec, {
    trigger: 'retry',
    key: `r:${failed.rootId}:${failed.attempt + 1}`,
    scheduledAt: ctx.now + delay,
    attempt: failed.attempt + 1,
    rootId: failed.rootId,
  });
  next.reason = `retry ${failed.attempt} of ${retries.max} after ${formatDuration(delay)}: ${failed.reason ?? failed.status}`;
  claim(ctx, next);
  return true;
}
