/** The agent's /files/read and /files/browse over sandboxes, with the real endpoint's quirks. */
import { openSync, readSync, closeSync, readdirSync, statSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { join, posix } from 'node:path';
import { agentRoot } from './sandbox.js';
import type { SimulatedSandboxes, VirtualNode } from './simulated-sandboxes.js';

const MAX_READ_BYTES = 16 * 4096;

export interface FilesAnswer {
  status: number;
  json?: unknown;
  text?: string;
}

/** The virtual path the agent attaches for each executor: only its latest run. */
const VIRTUAL_RUN = /^\/frameworks\/[^/]+\/executors\/[^/]+\/runs\/latest(\/|$)/;
/** Real run directories (and their `latest` link) under the agent's work dir, attached too (deprecated). */
const REAL_RUN = /^\/frameworks\/[^/]+\/executors\/[^/]+\/runs\/[^/]+(\/|$)/;

/**
 * The real file behind a /files path, or undefined (404) when no attached directory holds it.
 * Paths are absolute: without the leading `/` nothing matches (docs/mesos.md#sandbox-logs), and neither do
 * directories above a run such as `.../executors/<id>/runs`.
 */
function resolvePath(workDir: string, agentId: string, path: string): string | undefined {
  if (!path.startsWith('/')) return undefined;
  const normalized = posix.normalize(path);
  const root = agentRoot(workDir, agentId);
  if (VIRTUAL_RUN.test(normalized)) return join(root, normalized);
  if (normalized.startsWith(root + '/') && REAL_RUN.test(normalized.slice(root.length))) return normalized;
  return undefined;
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Parses offset/length: absent = -1; non-numeric or < -1 is an error. */
function parseNumber(name: string, raw: string | null): number | string {
  if (raw === null) return -1;
  if (!/^-?\d+$/.test(raw.trim())) return `Failed to parse ${name}: Failed to convert '${raw}' to number`;
  const n = Number(raw);
  if (n < -1) return `Negative ${name} provided: ${n}`;
  return n;
}

/** What a /files path names: a simulated sandbox's node, else a real file or directory; undefined answers 404. */
type Target = { virtual: VirtualNode } | { real: string; stat: Stats };

function targetOf(workDir: string, agentId: string, path: string, simulated: SimulatedSandboxes | undefined): Target | undefined {
  const virtual = simulated?.lookup(path);
  if (virtual) return { virtual };
  const real = resolvePath(workDir, agentId, path);
  const stat = real === undefined ? undefined : statOf(real);
  return real === undefined || !stat ? undefined : { real, stat };
}

const isDirectory = (target: Target): boolean => ('virtual' in target ? target.virtual.kind === 'directory' : target.stat.isDirectory());

function readBytes(target: Target, offset: number, want: number): Buffer {
  if ('virtual' in target) return target.virtual.kind === 'file' ? target.virtual.content.subarray(offset, offset + want) : Buffer.alloc(0);
  const buffer = Buffer.alloc(Math.max(0, want));
  const fd = openSync(target.real, 'r');
  try {
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, offset));
  } finally {
    closeSync(fd);
  }
}

/** `simulated`: the agent's simulated sandboxes, answered from memory (simulated-sandboxes.ts). */
export function readFile(workDir: string, agentId: string, query: URLSearchParams, simulated?: SimulatedSandboxes): FilesAnswer {
  const path = query.get('path');
  if (!path) return { status: 400, text: "Expecting 'path=value' in query.\n" };
  const offset = parseNumber('offset', query.get('offset'));
  if (typeof offset === 'string') return { status: 400, text: offset };
  const length = parseNumber('length', query.get('length'));
  if (typeof length === 'string') return { status: 400, text: length };
  const target = targetOf(workDir, agentId, path, simulated);
  if (!target) return { status: 404, text: '' };
  if (isDirectory(target)) return { status: 400, text: 'Cannot read a directory.\n' };
  const size = 'virtual' in target ? (target.virtual.kind === 'file' ? target.virtual.content.length : 0) : target.stat.size;
  if (offset === -1) return { status: 200, json: { data: '', offset: size } };
  if (offset >= size) return { status: 200, json: { data: '', offset } };
  const want = Math.min(length === -1 ? size - offset : length, MAX_READ_BYTES, size - offset);
  return { status: 200, json: { data: readBytes(target, offset, want).toString('utf8'), offset } };
}

function modeString(stat: Stats): string {
  const kind = stat.isDirectory() ? 'd' : stat.isSymbolicLink() ? 'l' : '-';
  const bits = 'rwxrwxrwx'.split('').map((c, i) => (stat.mode & (1 << (8 - i)) ? c : '-'));
  return kind + bits.join('');
}

const ownerName = (uid: number): string => (uid === userInfo().uid ? userInfo().username : String(uid));

function virtualEntry(path: string, node: VirtualNode): BrowseEntry {
  const user = userInfo();
  const directory = node.kind === 'directory';
  return { path, nlink: directory ? 2 : 1, size: directory ? 4096 : node.content.length, mtime: node.mtime, mode: directory ? 'drwxr-xr-x' : '-rw-r--r--', uid: user.username, gid: String(user.gid) };
}

interface BrowseEntry {
  path: string;
  nlink: number;
  size: number;
  mtime: number;
  mode: string;
  uid: string;
  gid: string;
}

export function browse(workDir: string, agentId: string, query: URLSearchParams, simulated?: SimulatedSandboxes): FilesAnswer {
  const path = query.get('path');
  if (!path) return { status: 400, text: "Expecting 'path=value' in query.\n" };
  const target = targetOf(workDir, agentId, path, simulated);
  if (!target) return { status: 404, text: '' };
  const base = '/' + path.replace(/^\/+|\/+$/g, '');
  let entries: BrowseEntry[];
  if ('virtual' in target) {
    entries = target.virtual.kind === 'directory' ? target.virtual.entries.map((e) => virtualEntry(`${base}/${e.name}`, e.node)) : [];
  } else {
    const names = target.stat.isDirectory() ? readdirSync(target.real) : [];
    entries = names
      .map((name) => {
        const s = statOf(join(target.real, name));
        if (!s) return undefined;
        return { path: `${base}/${name}`, nlink: s.nlink, size: s.size, mtime: s.mtimeMs / 1000, mode: modeString(s), uid: ownerName(s.uid), gid: String(s.gid) };
      })
      .filter((e) => e !== undefined);
  }
  return { status: 200, json: entries.sort((a, b) => (a.path < b.path ? -1 : 1)) };
}
