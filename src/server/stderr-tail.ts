/** The last lines of a run's stderr, for failure notices: wherever its logs are (this host, a Mesos sandbox), without the backend's own lines. */
import type { Backend } from '../backends/types.js';
import type { Store } from '../store/types.js';

/** Enough for 20 long lines; a notice is no place for more. */
const TAIL_BYTES = 16 * 1024;

export function stderrTailReader(store: Pick<Store, 'getRun'>, backend: Pick<Backend, 'readLogs' | 'isOwnLogLine'>) {
  return async (runId: string, lines: number): Promise<string[]> => {
    const run = await store.getRun(runId);
    if (!run) throw new Error(`run ${runId} not found`);
    const probe = await backend.readLogs(run, 'stderr', 0, 0);
    if (!probe) throw new Error(`no stderr for run ${runId}`);
    const from = Math.max(0, probe.size - TAIL_BYTES);
    const chunk = await backend.readLogs(run, 'stderr', from, TAIL_BYTES);
    const text = chunk?.data ?? '';
    // A cut first line is dropped rather than shown half.
    const all = text.split('\n');
    if (from > 0) all.shift();
    if (all.at(-1) === '') all.pop();
    const own = backend.isOwnLogLine?.bind(backend);
    return (own ? all.filter((line) => !own(line)) : all).slice(-lines);
  };
}
