/** Create or replace many jobs through the API, in bodies well under its 1 MiB limit. */
import { api } from '../../test/helpers/server-process.js';

export async function putJobs(baseUrl: string, jobs: readonly object[], perRequest = 1000): Promise<void> {
  for (let i = 0; i < jobs.length; i += perRequest) {
    const answer = await api(`${baseUrl}/api/v1/jobs`, 'POST', jobs.slice(i, i + perRequest));
    if (answer.status !== 200 && answer.status !== 201) throw new Error(`POST /api/v1/jobs: ${answer.status} ${JSON.stringify(answer.body).slice(0, 500)}`);
  }
}
