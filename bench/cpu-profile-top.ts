/**
 * What a V8 CPU profile (node --cpu-prof) spent its time on: the functions with the most self
 * time, the most inclusive time (time with them on the stack), and self time by area (a
 * package in node_modules, a directory of dist/, node's internals, GC, idle).
 * Prints JSON, or markdown tables with --table.
 *   node --import tsx bench/cpu-profile-top.ts FILE.cpuprofile [--top 30] [--match TEXT] [--table]
 * --match: only functions whose name or file holds TEXT in the inclusive list (e.g. dist/api).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '30' }, match: { type: 'string' }, table: { type: 'boolean', default: false } },
  allowPositionals: true,
});
if (positionals.length !== 1) throw new Error('usage: cpu-profile-top.ts FILE.cpuprofile [--top 30] [--match TEXT] [--table]');
const top = Number(values.top);
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as CpuProfile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);

const shortUrl = (url: string): string => {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url.replace(/^file:\/\//, '');
};
const keyOf = (n: ProfileNode): string => {
  const { functionName, url, lineNumber } = n.callFrame;
  return url === '' ? `${functionName || '(anonymous)'}` : `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
};
const areaOf = (n: ProfileNode): string => {
  const { functionName, url } = n.callFrame;
  if (url === '') return functionName; // (garbage collector), (idle), (program), native builtins
  if (url.startsWith('node:')) return 'node internals';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const dist = /\/dist\/([^/]+)\//.exec(url);
  return dist ? `dist/${dist[1]}` : shortUrl(url);
};

// The time of sample i is the gap to the next one (the last gets the mean gap).
const totalUs = profile.endTime - profile.startTime;
const weights = profile.samples.map((_, i) => profile.timeDeltas[i + 1] ?? totalUs / profile.samples.length);
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const areas = new Map<string, number>();
profile.samples.forEach((id, i) => {
  const w = weights[i]!;
  const leaf = byId.get(id)!;
  self.set(keyOf(leaf), (self.get(keyOf(leaf)) ?? 0) + w);
  areas.set(areaOf(leaf), (areas.get(areaOf(leaf)) ?? 0) + w);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
    const key = keyOf(byId.get(at)!);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + w);
  }
});

const sampled = weights.reduce((a, b) => a + b, 0);
const idle = self.get('(idle)') ?? 0;
const busy = sampled - idle;
const ranked = (m: Map<string, number>, filter: (key: string) => boolean = () => true) =>
  [...m.entries()]
    .filter(([key]) => filter(key))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, ms: Math.round(us / 1000), percentOfBusy: Math.round((1000 * us) / busy) / 10 }));

const result = {
  file: positionals[0],
  seconds: Math.round(totalUs / 1e4) / 100,
  busySeconds: Math.round(busy / 1e4) / 100,
  idleSeconds: Math.round(idle / 1e4) / 100,
  selfTime: ranked(self),
  areas: ranked(areas),
  inclusiveTime: ranked(inclusive, (key) => key !== '(root)' && (values.match === undefined || key.includes(values.match))),
};

if (!values.table) {
  console.log(JSON.stringify(result, null, 2));
} else {
  console.log(`${result.file}: ${result.seconds} s profiled, ${result.busySeconds} s busy (percentages are of busy time)\n`);
  for (const [title, rows] of [['self time by function', result.selfTime], ['self time by area', result.areas], ['inclusive time', result.inclusiveTime]] as const) {
    console.log(`| ${title} | ms | % |\n|---|---:|---:|`);
    for (const r of rows) console.log(`| ${r.name.replaceAll('|', '\\|')} | ${r.ms} | ${r.percentOfBusy} |`);
    console.log('');
  }
}
