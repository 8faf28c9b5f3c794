/** Runs one action over many jobs, a few at a time, and reports each outcome. */
import { ApiError } from '../api/client';

export interface BulkOutcome {
  action: 'run' | 'pause' | 'resume';
  succeeded: string[];
  failed: { name: string; message: string }[];
}

const AT_ONCE = 4;

export async function runBulk<T>(action: BulkOutcome['action'], names: string[], perform: (name: string) => Promise<T>, onEach?: (name: string, value: T) => void): Promise<BulkOutcome> {
  const outcome: BulkOutcome = { action, succeeded: [], failed: [] };
  const queue = [...names];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      try {
        const value = await perform(name);
        outcome.succeeded.push(name);
        onEach?.(name, value);
      } catch (error) {
        outcome.failed.push({ name, message: error instanceof ApiError ? `${error.message} (${error.status || 'no answer'})` : String(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, names.length) }, worker));
  outcome.succeeded.sort();
  outcome.failed.sort((a, b) => a.name.localeCompare(b.name));
  return outcome;
}
