import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MesosSimOptions {
  host?: string;
  /** 0 = a free port. */
  port?: number;
  /** Default 3. */
  agents?: number;
  /** Per agent, default 4. */
  cpus?: number;
  /** MiB per agent, default 8192. */
  mem?: number;
  /** MiB per agent, default 20480. */
  disk?: number;
  /** Per agent, default 0 (no gpus resource). */
  gpus?: number;
  /** Inclusive port range per agent, default [31000, 32000]. */
  ports?: [number, number];
  /** TEXT attributes of agent i; default rack r1/r2 alternating. */
  attributes?: (i: number) => Record<string, string>;
  /** Sandboxes live here; default a temp dir removed by close(). */
  workDir?: string;
  /** Default 15. */
  heartbeatIntervalSeconds?: number;
  /** Default 1000. */
  allocationIntervalMs?: number;
  /** Unanswered offers are rescinded after this; default never. */
  offerTimeoutMs?: number;
  /** First re-send of an unacknowledged update, default 10000, doubling to 10 min. */
  reliableRetryMs?: number;
  logger?: (line: string) => void;
}

export interface SimConfig {
  host: string;
  port: number;
  agents: number;
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
  ports: [number, number];
  attributes: (i: number) => Record<string, string>;
  workDir: string;
  ownsWorkDir: boolean;
  heartbeatIntervalSeconds: number;
  allocationIntervalMs: number;
  offerTimeoutMs: number | undefined;
  reliableRetryMs: number;
  log: (line: string) => void;
}

export function resolveOptions(options: MesosSimOptions = {}): SimConfig {
  const ownsWorkDir = options.workDir === undefined;
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    agents: options.agents ?? 3,
    cpus: options.cpus ?? 4,
    mem: options.mem ?? 8192,
    disk: options.disk ?? 20480,
    gpus: options.gpus ?? 0,
    ports: options.ports ?? [31000, 32000],
    attributes: options.attributes ?? ((i) => ({ rack: i % 2 === 0 ? 'r1' : 'r2' })),
    workDir: options.workDir ?? mkdtempSync(join(tmpdir(), 'mesos-sim-')),
    ownsWorkDir,
    heartbeatIntervalSeconds: options.heartbeatIntervalSeconds ?? 15,
    allocationIntervalMs: options.allocationIntervalMs ?? 1000,
    offerTimeoutMs: options.offerTimeoutMs,
    reliableRetryMs: options.reliableRetryMs ?? 10_000,
    log: options.logger ?? (() => {}),
  };
}
