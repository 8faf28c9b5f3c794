/** The agent's sandbox layout: <work>/slaves/<A>/frameworks/<F>/executors/<E>/runs/<C>, plus runs/latest. */
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

export const agentRoot = (workDir: string, agentId: string): string => join(workDir, 'slaves', agentId);

export const executorRunsDir = (workDir: string, agentId: string, frameworkId: string, executorId: string): string =>
  join(agentRoot(workDir, agentId), 'frameworks', frameworkId, 'executors', executorId, 'runs');

export const sandboxPath = (workDir: string, agentId: string, frameworkId: string, executorId: string, containerId: string): string =>
  join(executorRunsDir(workDir, agentId, frameworkId, executorId), containerId);

/** Creates the container directory and points runs/latest at it. */
export function createSandbox(workDir: string, agentId: string, frameworkId: string, executorId: string, containerId: string): string {
  const runs = executorRunsDir(workDir, agentId, frameworkId, executorId);
  const dir = sandboxPath(workDir, agentId, frameworkId, executorId, containerId);
  mkdirSync(dir, { recursive: true });
  const latest = join(runs, 'latest');
  rmSync(latest, { force: true });
  symlinkSync(containerId, latest);
  return dir;
}
