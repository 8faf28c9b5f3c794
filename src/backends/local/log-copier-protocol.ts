/**
 * What the launcher and the log copier (log-copier-main.ts) say to each other over the
 * copier's Unix socket: one JSON object a line, each way. Requests name runs by id only;
 * the copier finds their dirs under its own runs root, so a request cannot point it
 * anywhere else.
 */

/** The copier's own files, in the runs root (0700: only the server's user reaches them). Run ids never start with a dot. */
export const COPIER_DIR = '.log-copier';

/** Its socket. Relative to the runs root, so a long data dir path cannot exceed a socket path's 107 bytes. */
export const COPIER_SOCKET = `${COPIER_DIR}/socket`;

/** Its journal of the runs it took and finished (copier-journal.ts). */
export const COPIER_JOURNAL = `${COPIER_DIR}/journal`;

/** Its own errors. */
export const COPIER_ERROR_LOG = `${COPIER_DIR}/errors`;

export interface LiveEntry {
  capBytes: number;
  marker: string;
}

export type CopierRequest =
  /** Open these runs' FIFOs for reading and copy them into their logs; answered by `adopted`. */
  | { type: 'adopt'; seq: number; capBytes: number; marker: string; runIds: string[] }
  /** These runs' wrappers never started: stop waiting for them. */
  | { type: 'drop'; runIds: string[] };

export type CopierReply = { type: 'adopted'; seq: number; runIds: string[]; failed: { runId: string; reason: string }[] };
