/** Ending a bench's server: SIGTERM, and SIGKILL if it has not exited in time. */
import type { ServerProcess } from '../../test/helpers/server-process.js';

export async function shutDown(server: ServerProcess, graceMs = 30_000): Promise<void> {
  const killer = setTimeout(() => void server.kill(), graceMs);
  try {
    await server.stop();
  } finally {
    clearTimeout(killer);
  }
}
