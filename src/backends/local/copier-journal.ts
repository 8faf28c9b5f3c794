/**
 * The log copier's journal: a line for every run it takes and every run it finishes, so a
 * copier that starts after one died knows which runs to take over, and with what cap.
 * Appended by one write per request (no file per run: a file created and removed per run
 * cost more than the rest of the copier's work for it). When it has grown, it is rewritten
 * with the runs still open. A line cut short by a crash is skipped.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import type { LiveEntry } from './log-copier-protocol.js';

/** Rewrite once the journal is this big. */
const COMPACT_BYTES = 1 << 20;

type Line = { take: string; capBytes: number; marker: string } | { done: string };

export class CopierJournal {
  private fd: number;
  private size: number;

  /** Opens the journal at `path`, and returns the runs it says are still open. */
  static open(path: string): { journal: CopierJournal; open: Map<string, LiveEntry> } {
    const open = new Map<string, LiveEntry>();
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    for (const raw of text.split('\n')) {
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        continue;
      }
      if ('take' in line) open.set(line.take, { capBytes: line.capBytes, marker: line.marker });
      else open.delete(line.done);
    }
    const journal = new CopierJournal(path);
    journal.rewrite(open);
    return { journal, open };
  }

  private constructor(private readonly path: string) {
    this.fd = -1;
    this.size = 0;
  }

  took(runIds: readonly string[], entry: LiveEntry): void {
    if (runIds.length > 0) this.append(runIds.map((take) => JSON.stringify({ take, ...entry })).join('\n') + '\n');
  }

  finished(runId: string, stillOpen: () => Map<string, LiveEntry>): void {
    this.append(`${JSON.stringify({ done: runId })}\n`);
    if (this.size > COMPACT_BYTES) this.rewrite(stillOpen());
  }

  private append(text: string): void {
    const data = Buffer.from(text);
    for (let offset = 0; offset < data.length; ) offset += writeSync(this.fd, data, offset);
    this.size += data.length;
  }

  private rewrite(open: Map<string, LiveEntry>): void {
    const text = [...open].map(([take, entry]) => `${JSON.stringify({ take, ...entry })}\n`).join('');
    writeFileSync(`${this.path}.tmp`, text);
    renameSync(`${this.path}.tmp`, this.path);
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
    this.size = Buffer.byteLength(text);
  }
}
