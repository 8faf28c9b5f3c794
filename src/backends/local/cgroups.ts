/**
 * A cgroup per local run, so that `resources` is a limit and not only a count: memory
 * (`resources.mem`), CPU time (`resources.cpus`, as a CFS quota) and the number of tasks
 * (`resources.pids`). With cgroup v2 the run gets one cgroup; with v1 one in each of the
 * `memory`, `cpu`, `cpuacct` and `pids` hierarchies. Either way they sit under a `moroccron`
 * cgroup inside the server's own (what /proc/self/cgroup says), so an outer limit on the
 * server holds its runs too.
 *
 * The wrapper joins them itself, by writing its pid into each `cgroup.procs` before it
 * starts the job: everything the job starts is inside from its first instruction, with no
 * window in which a child could escape. At the end the run's CPU time, its peak memory and
 * whether the kernel killed for the memory limit are read, then the cgroups are removed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type IsolationMode = 'cgroups-v2' | 'cgroups-v1' | 'none';

export interface RunLimits {
  /** MiB. */
  mem: number;
  cpus: number;
  pids: number;
}

export interface RunUsage {
  cpuSeconds: number;
  /** Bytes; null where the kernel does not keep it (cgroup v2 before Linux 5.19). */
  peakMemoryBytes: number | null;
  /** The kernel's OOM killer acted inside the run's cgroup. */
  memoryLimitHit: boolean;
}

/** The parent cgroup's name for the server of this data dir: two servers on one host keep apart. */
export function cgroupName(dataDir: string): string {
  return `moroccron-${createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 12)}`;
}

const V1_CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'pids'] as const;
type V1Controller = (typeof V1_CONTROLLERS)[number];

const CFS_PERIOD_US = 100_000;
/** The least quota the kernel takes (1 ms a period). */
const MIN_QUOTA_US = 1_000;

const read = (path: string): string => readFileSync(path, 'utf8');

/** `key value` lines (memory.stat, memory.events, cpu.stat, memory.oom_control) as numbers. */
function keyed(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) values.set(key, Number(value));
  }
  return values;
}

/** The server's own cgroup in each hierarchy, from /proc/self/cgroup ("0" is v2's). */
function ownCgroups(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, id, controllers, path] = match;
    if (id === '0') found.set('', path!);
    for (const controller of controllers!.split(',')) if (controller) found.set(controller, path!);
  }
  return found;
}

export interface CgroupRoots {
  /** Where cgroup file systems are mounted; /sys/fs/cgroup unless a test says otherwise. */
  mountPoint?: string;
  /** The text of /proc/self/cgroup. */
  selfCgroup?: string;
}

/** The per-run cgroups of one server (its name, e.g. the data dir's, keeps two servers apart). */
export class RunCgroups {
  readonly mode: IsolationMode;
  /** Why there is no isolation, when there is none. */
  readonly why: string | null;
  /** v2: the parent cgroup dir; v1: the parent dir in each controller's hierarchy. */
  private readonly parents: Map<string, string>;

  constructor(name: string, roots: CgroupRoots = {}) {
    const mount = roots.mountPoint ?? '/sys/fs/cgroup';
    let own: Map<string, string>;
    try {
      own = ownCgroups(roots.selfCgroup ?? read('/proc/self/cgroup'));
    } catch (error) {
      this.mode = 'none';
      this.why = `cannot read /proc/self/cgroup: ${(error as Error).message}`;
      this.parents = new Map();
      return;
    }
    const attempts: string[] = [];
    const v2 = this.tryV2(mount, own, name, attempts);
    if (v2) {
      this.mode = 'cgroups-v2';
      this.why = null;
      this.parents = v2;
      return;
    }
    const v1 = this.tryV1(mount, own, name, attempts);
    if (v1) {
      this.mode = 'cgroups-v1';
      this.why = null;
      this.parents = v1;
      return;
    }
    this.mode = 'none';
    this.why = attempts.join('; ');
    this.parents = new Map();
  }

  /** Make the run's cgroups with its limits; the `cgroup.procs` files the wrapper writes its pid to. */
  create(runId: string, limits: RunLimits): string[] {
    if (this.mode === 'none') return [];
    const memBytes = Math.max(1, Math.round(limits.mem)) * 1024 * 1024;
    const quota = Math.max(MIN_QUOTA_US, Math.round(limits.cpus * CFS_PERIOD_US));
    const pids = Math.max(1, Math.floor(limits.pids));
    if (this.mode === 'cgroups-v2') {
      const dir = this.runDir('', runId);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'memory.max'), String(memBytes));
      if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
      writeFileSync(join(dir, 'cpu.max'), `${quota} ${CFS_PERIOD_US}`);
      writeFileSync(join(dir, 'pids.max'), String(pids));
      return [join(dir, 'cgroup.procs')];
    }
    const procs: string[] = [];
    for (const controller of V1_CONTROLLERS) {
      const dir = this.runDir(controller, runId);
      mkdirSync(dir, { recursive: true });
      if (controller === 'memory') {
        writeFileSync(join(dir, 'memory.limit_in_bytes'), String(memBytes));
        // No way around the limit through swap.
        const swapLimit = join(dir, 'memory.memsw.limit_in_bytes');
        if (existsSync(swapLimit)) writeFileSync(swapLimit, String(memBytes));
        else writeFileSync(join(dir, 'memory.swappiness'), '0');
      } else if (controller === 'cpu') {
        writeFileSync(join(dir, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
        writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quota));
      } else if (controller === 'pids') {
        writeFileSync(join(dir, 'pids.max'), String(pids));
      }
      procs.push(join(dir, 'cgroup.procs'));
    }
    // cpu and cpuacct are often one hierarchy (mounted as cpu,cpuacct): one join does for both.
    return this.sharedHierarchies ? [...new Set(procs)] : procs;
  }

  /** What the run used; null if its cgroups are gone (or there are none). */
  usage(runId: string): RunUsage | null {
    try {
      if (this.mode === 'cgroups-v2') {
        const dir = this.runDir('', runId);
        const cpu = keyed(read(join(dir, 'cpu.stat')));
        const events = keyed(read(join(dir, 'memory.events')));
        const peak = join(dir, 'memory.peak');
        return {
          cpuSeconds: (cpu.get('usage_usec') ?? 0) / 1e6,
          peakMemoryBytes: existsSync(peak) ? Number(read(peak).trim()) : null,
          memoryLimitHit: (events.get('oom_kill') ?? 0) > 0,
        };
      }
      if (this.mode === 'cgroups-v1') {
        const memory = this.runDir('memory', runId);
        const oom = keyed(read(join(memory, 'memory.oom_control')));
        return {
          cpuSeconds: Number(read(join(this.runDir('cpuacct', runId), 'cpuacct.usage')).trim()) / 1e9,
          peakMemoryBytes: Number(read(join(memory, 'memory.max_usage_in_bytes')).trim()),
          memoryLimitHit: (oom.get('oom_kill') ?? 0) > 0,
        };
      }
    } catch {
      // Removed meanwhile.
    }
    return null;
  }

  /** The pids in the run's cgroup (v2's, or v1's pids hierarchy). */
  members(runId: string): number[] {
    if (this.mode === 'none') return [];
    try {
      return read(join(this.runDir(this.mode === 'cgroups-v2' ? '' : 'pids', runId), 'cgroup.procs'))
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  }

  /** Signal everything in the run's cgroup, children that left its process group included; how many were signalled. */
  signalAll(runId: string, signal: NodeJS.Signals): number {
    let signalled = 0;
    for (const pid of this.members(runId)) {
      try {
        process.kill(pid, signal);
        signalled++;
      } catch {
        // Gone meanwhile.
      }
    }
    return signalled;
  }

  /** The run's memory limit in MiB, as its cgroup has it; null if unknown. */
  memoryLimitMiB(runId: string): number | null {
    try {
      const file = this.mode === 'cgroups-v2' ? join(this.runDir('', runId), 'memory.max') : join(this.runDir('memory', runId), 'memory.limit_in_bytes');
      const bytes = Number(read(file).trim());
      return Number.isFinite(bytes) ? Math.round(bytes / (1024 * 1024)) : null;
    } catch {
      return null;
    }
  }

  /** Remove the run's cgroups; false while something still runs in them. */
  remove(runId: string): boolean {
    if (this.mode === 'none') return true;
    let removed = true;
    for (const controller of this.mode === 'cgroups-v2' ? [''] : V1_CONTROLLERS) {
      try {
        rmdirSync(this.runDir(controller, runId));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') removed = false;
      }
    }
    return removed;
  }

  /** How long ago the run's cgroup was made (ms); null if it is gone. */
  ageMs(runId: string, now: number): number | null {
    try {
      return now - statSync(this.runDir(this.mode === 'cgroups-v2' ? '' : 'pids', runId)).ctimeMs;
    } catch {
      return null;
    }
  }

  /** Run ids that still have a cgroup (after a restart: the runs to look at). */
  runIds(): string[] {
    const parent = this.parents.get(this.mode === 'cgroups-v2' ? '' : 'pids');
    if (parent === undefined) return [];
    return readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  }

  /** Remove the server's parent cgroups if no run's is left in them (at shutdown). */
  close(): void {
    for (const parent of new Set(this.parents.values())) {
      try {
        rmdirSync(parent);
      } catch {
        // A run's cgroup is still there (it runs on): the next server uses the parent.
      }
    }
  }

  private runDir(controller: string, runId: string): string {
    return join(this.parents.get(controller)!, runId);
  }

  private tryV2(mount: string, own: Map<string, string>, name: string, attempts: string[]): Map<string, string> | null {
    const path = own.get('');
    if (path === undefined || !existsSync(join(mount, 'cgroup.controllers'))) return null;
    const base = join(mount, path);
    const needed = ['memory', 'cpu', 'pids'];
    try {
      const available = read(join(base, 'cgroup.controllers')).trim().split(/\s+/);
      const missing = needed.filter((c) => !available.includes(c));
      if (missing.length > 0) {
        attempts.push(`cgroup v2: the server's cgroup ${path} lacks the ${missing.join(', ')} controller`);
        return null;
      }
      const parent = join(base, name);
      mkdirSync(parent, { recursive: true });
      // Controllers for the runs' cgroups: the server's own cgroup must enable them for
      // `parent`, and `parent` for its children (cgroup v2 has no processes in an inner node).
      writeFileSync(join(base, 'cgroup.subtree_control'), needed.map((c) => `+${c}`).join(' '));
      writeFileSync(join(parent, 'cgroup.subtree_control'), needed.map((c) => `+${c}`).join(' '));
      return new Map([['', parent]]);
    } catch (error) {
      attempts.push(`cgroup v2 at ${base}: ${(error as Error).message} (the server needs a cgroup of its own to delegate, e.g. systemd's Delegate=yes)`);
      return null;
    }
  }

  private tryV1(mount: string, own: Map<string, string>, name: string, attempts: string[]): Map<string, string> | null {
    const parents = new Map<string, string>();
    for (const controller of V1_CONTROLLERS) {
      const root = join(mount, controller);
      const path = own.get(controller);
      if (path === undefined || !existsSync(join(root, 'cgroup.procs'))) {
        attempts.push(`cgroup v1: no ${controller} hierarchy mounted at ${root}`);
        return null;
      }
      const parent = join(root, path, name);
      try {
        mkdirSync(parent, { recursive: true });
        if (controller === 'memory') writeFileSync(join(parent, 'memory.use_hierarchy'), '1');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EBUSY' && (error as NodeJS.ErrnoException).code !== 'EINVAL') {
          attempts.push(`cgroup v1 ${controller} at ${parent}: ${(error as Error).message}`);
          return null;
        }
      }
      parents.set(controller as V1Controller, realpathSync(parent));
    }
    return parents;
  }

  /** Whether two v1 controllers share a hierarchy (their parents are one dir). */
  private get sharedHierarchies(): boolean {
    return new Set(this.parents.values()).size < this.parents.size;
  }
}
