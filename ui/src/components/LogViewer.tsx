/**
 * A run's stdout and stderr. While following, new output is fetched from the last offset
 * every second and scrolled into view, until the server says the log is complete. A long log
 * opens at its end; earlier parts load on request.
 */
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { apiRequest, ApiError, runPath } from '../api/client';
import type { LogChunk } from '../api/types';

type Stream = 'stdout' | 'stderr';

interface StreamState {
  text: string;
  /** Where `text` starts in the file; above 0 when the beginning is not loaded. */
  start: number;
  nextOffset: number;
  size: number;
  complete: boolean;
  loaded: boolean;
  error: string | null;
}

const EMPTY: StreamState = { text: '', start: 0, nextOffset: 0, size: 0, complete: false, loaded: false, error: null };
const CHUNK = 256 * 1024;
/** Beyond this, the start of the log is let go (it can be loaded again). */
const KEEP = 2 * 1024 * 1024;
const POLL_MS = 1_000;

const kib = (bytes: number) => (bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

const fetchChunk = (runId: string, stream: Stream, offset: number, limit = CHUNK) =>
  apiRequest<LogChunk>('GET', `${runPath(runId)}/logs?stream=${stream}&offset=${offset}&limit=${limit}`);

export function LogViewer({ runId, active }: { runId: string; active: boolean }) {
  const [stream, setStream] = useState<Stream>('stdout');
  const [follow, setFollow] = useState(true);
  const [logs, setLogs] = useState<Record<Stream, StreamState>>({ stdout: EMPTY, stderr: EMPTY });
  const pre = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);
  const id = useId();
  const current = logs[stream];

  /** Reads what is new (all of it, chunk by chunk); returns whether the log is complete. */
  const readNew = useCallback(
    async (which: Stream, from: StreamState): Promise<void> => {
      let state = from;
      try {
        let chunk = await fetchChunk(runId, which, state.nextOffset);
        if (!state.loaded && chunk.size > KEEP) {
          // A long log: open at its end.
          const start = Math.max(0, chunk.size - CHUNK);
          chunk = await fetchChunk(runId, which, start);
          state = { ...state, start, nextOffset: start };
        }
        for (;;) {
          let text = state.text + chunk.data;
          let start = state.start;
          if (text.length > KEEP) {
            const cut = text.length - KEEP;
            text = text.slice(cut);
            start += cut;
          }
          state = { text, start, nextOffset: chunk.nextOffset, size: chunk.size, complete: chunk.complete, loaded: true, error: null };
          setLogs((l) => ({ ...l, [which]: state }));
          if (chunk.complete || chunk.nextOffset >= chunk.size || chunk.data.length === 0) break;
          chunk = await fetchChunk(runId, which, state.nextOffset);
        }
      } catch (error) {
        const message = error instanceof ApiError ? error.message : String(error);
        setLogs((l) => ({ ...l, [which]: { ...state, loaded: true, error: message } }));
      }
    },
    [runId],
  );

  // Poll the stream on show while following (or once, when not yet loaded).
  const stateRef = useRef(logs);
  stateRef.current = logs;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const tick = async () => {
      const state = stateRef.current[stream];
      if (!state.complete) await readNew(stream, state);
      if (stopped) return;
      const after = stateRef.current[stream];
      if (follow && !after.complete) timer = setTimeout(() => void tick(), POLL_MS);
    };
    if (follow || !stateRef.current[stream].loaded) void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [stream, follow, readNew, active]);

  // Keep the newest line in view while following, unless the reader scrolled up.
  useEffect(() => {
    const el = pre.current;
    if (el && follow && pinned.current) el.scrollTop = el.scrollHeight;
  }, [current.text, follow]);

  const loadEarlier = async () => {
    const state = logs[stream];
    const from = Math.max(0, state.start - CHUNK);
    try {
      const chunk = await fetchChunk(runId, stream, from, state.start - from);
      setLogs((l) => ({ ...l, [stream]: { ...l[stream], text: chunk.data + l[stream].text, start: from } }));
    } catch (error) {
      setLogs((l) => ({ ...l, [stream]: { ...l[stream], error: error instanceof ApiError ? error.message : String(error) } }));
    }
  };

  const onTabKey = (event: KeyboardEvent) => {
    if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      const next: Stream = stream === 'stdout' ? 'stderr' : 'stdout';
      setStream(next);
      document.getElementById(`${id}-tab-${next}`)?.focus();
      event.preventDefault();
    }
  };

  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <div className="card-head">
        <h2 id={`${id}-heading`}>Logs</h2>
        <div className="log-foot">
          <label className="nowrap" style={{ display: 'inline-flex', gap: 6, alignItems: 'center' }}>
            <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
            Follow
          </label>
          {!follow && !current.complete && (
            <button type="button" className="btn btn-small" onClick={() => void readNew(stream, logs[stream])}>
              Refresh
            </button>
          )}
        </div>
      </div>
      <div className="tabs" role="tablist" aria-label="Output stream" style={{ padding: '0 12px' }}>
        {(['stdout', 'stderr'] as const).map((s) => (
          <button
            key={s}
            id={`${id}-tab-${s}`}
            type="button"
            role="tab"
            className="tab"
            aria-selected={stream === s}
            aria-controls={`${id}-panel`}
            tabIndex={stream === s ? 0 : -1}
            onClick={() => setStream(s)}
            onKeyDown={onTabKey}
          >
            {s}
            {logs[s].loaded && <span className="muted small"> · {kib(logs[s].size)}</span>}
          </button>
        ))}
      </div>
      <div id={`${id}-panel`} role="tabpanel" aria-labelledby={`${id}-tab-${stream}`}>
        {current.start > 0 && (
          <div className="log-skipped">
            {kib(current.start)} earlier not shown.{' '}
            <button type="button" className="btn btn-small" onClick={() => void loadEarlier()}>
              Load earlier
            </button>
          </div>
        )}
        <pre
          ref={pre}
          className="log"
          tabIndex={0}
          aria-label={`${stream} of the run`}
          data-testid={`log-${stream}`}
          onScroll={(e) => {
            const el = e.currentTarget;
            pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
          }}
        >
          {current.text || <span className="log-empty">{!current.loaded ? 'Loading…' : current.complete ? `No ${stream} output.` : `No ${stream} output yet.`}</span>}
        </pre>
        <div className="log-status small" role="status">
          {current.error ? (
            <span className="text-fail">Could not read the log: {current.error}</span>
          ) : current.complete ? (
            'End of log: the run has finished.'
          ) : follow ? (
            <>
              <span className="spinner" aria-hidden="true" /> Following: new output appears as it is written.
            </>
          ) : (
            'Not following. Tick Follow to see new output.'
          )}
        </div>
      </div>
    </section>
  );
}
