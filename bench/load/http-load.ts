/**
 * The load generator, meant to run in a process of its own (so it does not share an event
 * loop with what it measures): autocannon against a base URL, each connection going round
 * a list of paths, first a short warm-up whose figures are dropped. Prints one JSON object.
 *   node --import tsx bench/load/http-load.ts '{"url":"http://127.0.0.1:8080","paths":["/a"],"seconds":20,"connections":16,"pipelining":1,"warmupSeconds":2}'
 * `runHttpLoad` spawns it and returns what it printed.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface HttpLoadOptions {
  url: string;
  paths: string[];
  seconds: number;
  connections: number;
  pipelining: number;
  warmupSeconds: number;
  /** Request headers (an Authorization, say). */
  headers?: Record<string, string>;
}

export interface HttpLoadResult {
  seconds: number;
  connections: number;
  pipelining: number;
  requests: number;
  /** Completed requests / duration. */
  requestsPerSecondMean: number;
  /** Of the per-second counts. */
  requestsPerSecondMedian: number;
  requestsPerSecondMin: number;
  /** Of 2xx answers, in ms (autocannon's resolution: whole ms). */
  latencyMs: { p50: number; p90: number; p99: number; p99_9: number; max: number; mean: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  bytesPerSecondMean: number;
}

/** What autocannon 9 returns that this bench reads (it ships no types). */
interface AutocannonResult {
  duration: number;
  requests: { mean: number; p50: number; min: number; total: number };
  latency: { p50: number; p90: number; p99: number; p99_9: number; max: number; mean: number };
  throughput: { mean: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}

type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;

async function generate(options: HttpLoadOptions): Promise<HttpLoadResult> {
  // It ships no types: read as CommonJS, typed by what is used of it.
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const common = {
    url: options.url,
    connections: options.connections,
    pipelining: options.pipelining,
    headers: options.headers ?? {},
    requests: options.paths.map((path) => ({ method: 'GET', path })),
  };
  if (options.warmupSeconds > 0) await autocannon({ ...common, duration: options.warmupSeconds });
  process.stdout.write(`${WARMED}\n`);
  const r = await autocannon({ ...common, duration: options.seconds });
  return {
    seconds: r.duration,
    connections: options.connections,
    pipelining: options.pipelining,
    requests: r.requests.total,
    requestsPerSecondMean: Math.round(r.requests.total / r.duration),
    requestsPerSecondMedian: r.requests.p50,
    requestsPerSecondMin: r.requests.min,
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, p99_9: r.latency.p99_9, max: r.latency.max, mean: r.latency.mean },
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, s]) => [code, s.count])),
    bytesPerSecondMean: Math.round(r.throughput.mean),
  };
}

/** The line the generator prints when the warm-up is over and the measured window begins. */
const WARMED = 'warmed';

/**
 * The load generator in a child process. `onMeasuring(pid)` is called when its warm-up is over
 * (to sample it and the server over the measured window only); resolves with its result.
 */
export function runHttpLoad(options: HttpLoadOptions, onMeasuring?: (pid: number) => void): Promise<HttpLoadResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const newline = out.indexOf('\n');
    if (newline >= 0 && out.slice(0, newline) === WARMED) {
      out = out.slice(newline + 1);
      onMeasuring?.(child.pid!);
    }
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      resolve(JSON.parse(out) as HttpLoadResult);
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await generate(JSON.parse(process.argv[2]!) as HttpLoadOptions);
  process.stdout.write(JSON.stringify(result));
}
