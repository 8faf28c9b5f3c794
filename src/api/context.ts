/** What route handlers can reach: the loop for commands, the store for reads, the backend for logs. */
import type { Backend } from '../backends/types.js';
import type { CommandResult } from '../core/types.js';
import type { Store } from '../store/types.js';
import type { EventBus } from '../server/events.js';
import type { Loop } from '../server/loop.js';
import type { Metrics } from '../server/metrics.js';
import { ApiError } from './errors.js';

export interface ClusterInfo {
  self: { id: string; url: string };
  epoch: number;
  backend: 'local' | 'mesos';
  store: string;
}

export interface ApiContext {
  loop: Loop;
  store: Store;
  backend: Backend;
  events: EventBus;
  metrics: Metrics;
  cluster: ClusterInfo;
  version: string;
}

/** The value of a successful command, or the ApiError it maps to. */
export function unwrap(result: CommandResult): { value: unknown; created: boolean } {
  if (!result.ok) throw new ApiError(result.status, result.code, result.message, result.details ?? []);
  return { value: result.value, created: result.created ?? false };
}
