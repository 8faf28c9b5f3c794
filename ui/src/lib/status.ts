/** How each run status looks: a colour class, a glyph and a word, so colour is never alone. */
import type { GraphNodeState, RunStatus } from '../api/types';

export interface StatusLook {
  tone: 'c-ok' | 'c-fail' | 'c-run' | 'c-wait' | 'c-kill' | 'c-lost' | 'c-skip';
  glyph: string;
  label: string;
}

export const RUN_STATUS_LOOK: Record<RunStatus, StatusLook> = {
  succeeded: { tone: 'c-ok', glyph: '✓', label: 'succeeded' },
  failed: { tone: 'c-fail', glyph: '✕', label: 'failed' },
  running: { tone: 'c-run', glyph: '●', label: 'running' },
  launching: { tone: 'c-run', glyph: '◔', label: 'launching' },
  queued: { tone: 'c-wait', glyph: '◷', label: 'queued' },
  waiting: { tone: 'c-wait', glyph: '◌', label: 'waiting' },
  killed: { tone: 'c-kill', glyph: '■', label: 'killed' },
  lost: { tone: 'c-lost', glyph: '?', label: 'lost' },
  skipped: { tone: 'c-skip', glyph: '–', label: 'skipped' },
};

export const GRAPH_STATE_LOOK: Record<GraphNodeState, StatusLook> = {
  ok: { tone: 'c-ok', glyph: '✓', label: 'ok' },
  running: { tone: 'c-run', glyph: '●', label: 'running' },
  waiting: { tone: 'c-wait', glyph: '◌', label: 'waiting' },
  'blocked-by-failure': { tone: 'c-kill', glyph: '⊘', label: 'blocked by failure' },
  failed: { tone: 'c-fail', glyph: '✕', label: 'failed' },
};

/** A job's state in the list, from its spec and runs. */
export type JobState = 'paused' | 'running' | 'failing' | 'ok' | 'idle';

export const JOB_STATE_LOOK: Record<JobState, StatusLook> = {
  running: { tone: 'c-run', glyph: '●', label: 'running' },
  failing: { tone: 'c-fail', glyph: '✕', label: 'failing' },
  paused: { tone: 'c-wait', glyph: '❚❚', label: 'paused' },
  ok: { tone: 'c-ok', glyph: '✓', label: 'ok' },
  idle: { tone: 'c-skip', glyph: '○', label: 'no runs yet' },
};
