import type { Range, Resource } from '../types.js';
import { addRanges, formatRanges, normalizeRanges, rangesContain, subtractRanges } from './ranges.js';

/** Scalars carry 3 decimal digits of fixed-point precision, as in Mesos. */
const fixed = (n: number): number => Math.round(n * 1000) / 1000;

/** Unreserved resources as named scalars and ranges; SET resources are not modelled. */
export class Resources {
  constructor(
    readonly scalars: ReadonlyMap<string, number> = new Map(),
    readonly ranges: ReadonlyMap<string, readonly Range[]> = new Map(),
  ) {}

  static fromList(list: readonly Resource[] | undefined): Resources {
    const scalars = new Map<string, number>();
    const ranges = new Map<string, Range[]>();
    for (const r of list ?? []) {
      if (r.type === 'SCALAR' && r.scalar) scalars.set(r.name, fixed((scalars.get(r.name) ?? 0) + r.scalar.value));
      else if (r.type === 'RANGES' && r.ranges) ranges.set(r.name, addRanges(ranges.get(r.name) ?? [], r.ranges.range ?? []));
    }
    return new Resources(scalars, ranges).pruned();
  }

  private pruned(): Resources {
    const scalars = new Map([...this.scalars].filter(([, v]) => v > 0));
    const ranges = new Map([...this.ranges].map(([k, v]) => [k, normalizeRanges(v)] as const).filter(([, v]) => v.length > 0));
    return new Resources(scalars, ranges);
  }

  scalar(name: string): number {
    return this.scalars.get(name) ?? 0;
  }

  isEmpty(): boolean {
    return this.scalars.size === 0 && this.ranges.size === 0;
  }

  plus(other: Resources): Resources {
    const scalars = new Map(this.scalars);
    for (const [k, v] of other.scalars) scalars.set(k, fixed((scalars.get(k) ?? 0) + v));
    const ranges = new Map(this.ranges);
    for (const [k, v] of other.ranges) ranges.set(k, addRanges(ranges.get(k) ?? [], v));
    return new Resources(scalars, ranges).pruned();
  }

  /** Saturating subtraction. */
  minus(other: Resources): Resources {
    const scalars = new Map(this.scalars);
    for (const [k, v] of other.scalars) scalars.set(k, fixed(Math.max(0, (scalars.get(k) ?? 0) - v)));
    const ranges = new Map(this.ranges);
    for (const [k, v] of other.ranges) ranges.set(k, subtractRanges(ranges.get(k) ?? [], v));
    return new Resources(scalars, ranges).pruned();
  }

  contains(other: Resources): boolean {
    for (const [k, v] of other.scalars) if (this.scalar(k) < v) return false;
    for (const [k, v] of other.ranges) if (!rangesContain(this.ranges.get(k) ?? [], v)) return false;
    return true;
  }

  /** The allocator's minimum offer: some cpus or 32 MB of memory. */
  isAllocatable(): boolean {
    return this.scalar('cpus') >= 0.01 || this.scalar('mem') >= 32;
  }

  /** The JSON Resource list of an offer; allocation_info only for MULTI_ROLE frameworks. */
  toList(allocationRole?: string): Resource[] {
    const decorate = (r: Resource): Resource => (allocationRole === undefined ? { ...r, role: '*' } : { ...r, role: '*', allocation_info: { role: allocationRole } });
    const out: Resource[] = [];
    for (const name of ['cpus', 'mem', 'disk', 'gpus', ...[...this.scalars.keys()].filter((k) => !['cpus', 'mem', 'disk', 'gpus'].includes(k))]) {
      const value = this.scalars.get(name);
      if (value !== undefined) out.push(decorate({ name, type: 'SCALAR', scalar: { value } }));
    }
    for (const [name, ranges] of this.ranges) out.push(decorate({ name, type: 'RANGES', ranges: { range: ranges.map((r) => ({ ...r })) } }));
    return out;
  }

  /** The master's "cpus(allocated: r):1; mem(allocated: r):32" rendering used in error messages. */
  describe(role: string): string {
    const parts = [...this.ranges].map(([k, v]) => `${k}(allocated: ${role}):${formatRanges(v)}`);
    for (const [k, v] of this.scalars) parts.push(`${k}(allocated: ${role}):${v}`);
    return parts.join('; ');
  }

  /** /master/state's object form: {cpus, mem, disk, gpus, ports: "[a-b]"}. */
  toStateJson(): Record<string, number | string> {
    const out: Record<string, number | string> = { cpus: 0, mem: 0, disk: 0, gpus: 0 };
    for (const [k, v] of this.scalars) out[k] = v;
    for (const [k, v] of this.ranges) out[k] = formatRanges(v);
    return out;
  }
}
