/**
 * Task logs from the agent's /files/read, paged, always with an explicit offset (an
 * absent offset is a size probe there). Reads are capped at 64 KiB by the agent.
 */
import type { LogChunk, LogStream } from '../types.js';

const AGENT_PAGE = 65_536;

interface FilesRead {
  data: string;
  offset: number;
}

async function filesRead(agentUrl: string, path: string, offset: number, length: number, headers: Record<string, string>): Promise<FilesRead | null> {
  const query = new URLSearchParams({ path, offset: String(offset), length: String(length) });
  const response = await fetch(`${agentUrl}/files/read?${query}`, { headers, signal: AbortSignal.timeout(10_000) });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`agent ${agentUrl} answered ${response.status} for ${path}: ${(await response.text()).slice(0, 200)}`);
  return (await response.json()) as FilesRead;
}

export async function readSandboxLog(
  agentUrl: string,
  sandbox: string,
  stream: LogStream,
  offset: number,
  limit: number,
  /** The Authorization header, for agents run with --authenticate_http_readonly. */
  headers: Record<string, string> = {},
): Promise<LogChunk | null> {
  const path = `${sandbox}/${stream}`;
  const probe = await filesRead(agentUrl, path, -1, -1, headers);
  if (!probe) return null;
  const size = probe.offset;
  const from = Math.min(offset, size);
  const page = await filesRead(agentUrl, path, from, Math.min(limit, AGENT_PAGE), headers);
  const data = page?.data ?? '';
  // /files/read puts raw bytes in a JSON string; count what came back in UTF-8 bytes.
  return { data, offset: from, nextOffset: from + Buffer.byteLength(data, 'utf8'), size: Math.max(size, from + Buffer.byteLength(data, 'utf8')) };
}

/** The command executor's sandbox: executor id = task id; `latest` points at the current run. */
export const sandboxOf = (frameworkId: string, taskId: string): string => `/frameworks/${frameworkId}/executors/${taskId}/runs/latest`;
