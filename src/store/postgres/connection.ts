/**
 * postgres:// URLs and the pools made from them. An optional `?schema=name` puts every
 * table in that schema (default `public`), so several installations or test cases can
 * share one database.
 */
import pg from 'pg';

export interface PostgresTarget {
  /** The URL pg connects with (without our `schema` parameter). */
  connectionString: string;
  schema: string;
  /** The URL without credentials or other parameters, for logs and the API. */
  description: string;
}

// Interpolated into SQL and the search_path: a plain lower-case identifier only.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function parsePostgresUrl(url: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`invalid PostgreSQL URL: expected postgres://user@host:port/db[?schema=name]`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`not a PostgreSQL URL (postgres://user@host:port/db[?schema=name])`);
  }
  const schema = parsed.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema "${schema}": use lower-case letters, digits and _`);
  parsed.searchParams.delete('schema');
  const user = parsed.username ? `${parsed.username}@` : '';
  const description = `postgres://${user}${parsed.host}${parsed.pathname}${schema === 'public' ? '' : `?schema=${schema}`}`;
  return { connectionString: parsed.toString(), schema, description };
}

export interface PoolTimeouts {
  max: number;
  /** Server-side statement_timeout and the client-side wait for an answer. */
  statementMs: number;
  connectMs: number;
  /** Ends a transaction left open by a paused or vanished client, so its locks go. */
  idleInTransactionMs: number;
}

export function createPool(target: PostgresTarget, timeouts: PoolTimeouts, applicationName: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    max: timeouts.max,
    statement_timeout: timeouts.statementMs,
    query_timeout: timeouts.statementMs + 500,
    connectionTimeoutMillis: timeouts.connectMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    idleTimeoutMillis: 10_000,
    application_name: applicationName,
    options: `-c search_path=${target.schema}`,
  });
  // An idle client whose server went away (restart, network) errors here; the pool drops
  // it and the next query connects anew. Without a listener the error would crash the process.
  pool.on('error', () => {});
  return pool;
}

/** Run `fn` in one transaction on one pooled connection. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A connection cut between statements errors on the client itself, not on a query.
  const onError = (error: Error) => (broken = error);
  client.on('error', onError);
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.off('error', onError);
    // A broken connection is discarded rather than reused.
    client.release(broken);
  }
}
