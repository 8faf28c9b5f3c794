/** High availability on PostgreSQL: several servers, one leader, fenced writes, takeovers. */
import { after, before } from 'node:test';
import { haScenarios } from '../helpers/ha-scenarios.js';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../helpers/postgres.js';

const skip = postgresUnavailable();
let pg: PostgresServer;
before(async () => {
  if (!skip) pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

haScenarios('postgres', () => ({ freshUrl: (name) => `${pg.url}?schema=ha_${name}_${process.pid}`, restart: (ms) => pg.restart(ms) }), skip);
