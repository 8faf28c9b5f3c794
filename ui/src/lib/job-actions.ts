/** What the job and run buttons do, through the API. */
import { apiRequest, jobPath, runPath } from '../api/client';
import type { JobView, Run } from '../api/types';

export const runJobNow = (name: string) => apiRequest<Run>('POST', `${jobPath(name)}/run`);
export const pauseJob = (name: string) => apiRequest<JobView>('POST', `${jobPath(name)}/pause`);
export const resumeJob = (name: string) => apiRequest<JobView>('POST', `${jobPath(name)}/resume`);
export const deleteJob = (name: string, force = false) =>
  apiRequest<{ deleted: string; changed: string[] }>('DELETE', `${jobPath(name)}${force ? '?force=true' : ''}`);
export const killRun = (id: string) => apiRequest<unknown>('POST', `${runPath(id)}/kill`);
export const saveJobYaml = (name: string, yaml: string) => apiRequest<JobView>('PUT', jobPath(name), yaml, { contentType: 'application/yaml' });
