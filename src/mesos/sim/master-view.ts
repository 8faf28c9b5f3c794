/** What the allocator and the agent links see of the master (the master implements it). */
import type { TaskStatus } from '../types.js';
import type { Agent } from './agent.js';
import type { Framework } from './framework.js';
import type { OfferBook } from './offer-book.js';
import type { SimConfig } from './options.js';

export interface MasterView {
  readonly id: string;
  readonly agents: readonly Agent[];
  readonly frameworks: Map<string, Framework>;
  readonly offers: OfferBook;
  readonly config: SimConfig;
  sendUpdate(framework: Framework, status: TaskStatus): void;
  scheduleAllocation(): void;
}
