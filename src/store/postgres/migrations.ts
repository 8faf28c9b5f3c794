/**
 * Schema versions, applied in order; the moroccron_schema table records which have run.
 * Never edit a shipped migration: add the next one. Times are epoch milliseconds (BIGINT)
 * as in the SQLite store, except the election's, which use the database clock.
 */
import type pg from 'pg';
import { inTransaction } from './connection.js';

export const MIGRATIONS: readonly string[] = [
  /* 1: the tables of the SQLite store */ `
  CREATE TABLE jobs (
    name        TEXT COLLATE "C" PRIMARY KEY,
    spec        JSONB NOT NULL,
    cursor      BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
  );
  CREATE TABLE runs (
    id            TEXT COLLATE "C" PRIMARY KEY,
    job           TEXT COLLATE "C" NOT NULL,
    key           TEXT NOT NULL,
    trigger       TEXT NOT NULL,
    scheduled_at  BIGINT NOT NULL,
    claimed_at    BIGINT NOT NULL,
    started_at    BIGINT,
    finished_at   BIGINT,
    attempt       INTEGER NOT NULL,
    status        TEXT NOT NULL,
    exit_code     INTEGER,
    reason        TEXT,
    agent         TEXT,
    task_id       TEXT,
    root_id       TEXT NOT NULL,
    deadline      BIGINT,
    kill_reason   TEXT,
    UNIQUE (job, key)
  );
  CREATE INDEX runs_by_job ON runs (job, scheduled_at DESC, id DESC);
  CREATE INDEX runs_by_time ON runs (scheduled_at DESC, id DESC);
  CREATE INDEX runs_active ON runs (status) WHERE status IN ('queued', 'launching', 'running');
  CREATE TABLE leadership (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    epoch  BIGINT NOT NULL,
    owner  TEXT,
    since  BIGINT
  );
  INSERT INTO leadership (id, epoch) VALUES (1, 0);
  CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
  );
  CREATE TABLE agent_blacklist (
    agent   TEXT COLLATE "C" PRIMARY KEY,
    reason  TEXT NOT NULL,
    since   BIGINT NOT NULL
  );
  `,
  /* 2: leader election: one lease row and the members' heartbeats */ `
  CREATE TABLE leader_lease (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    holder      TEXT,
    url         TEXT,
    epoch       BIGINT,
    expires_at  TIMESTAMPTZ NOT NULL
  );
  INSERT INTO leader_lease (id, expires_at) VALUES (1, '-infinity');
  CREATE TABLE members (
    id         TEXT COLLATE "C" PRIMARY KEY,
    url        TEXT NOT NULL,
    last_seen  TIMESTAMPTZ NOT NULL
  );
  `,
  /* 3: each run keeps its job's labels from when it was claimed */ `
  ALTER TABLE runs ADD COLUMN labels JSONB NOT NULL DEFAULT '{}';
  `,
  /* 4: runs keep the runs that caused them and whether a late notice went out; waiting runs are unfinished */ `
  ALTER TABLE runs ADD COLUMN causes JSONB NOT NULL DEFAULT '[]';
  ALTER TABLE runs ADD COLUMN late BOOLEAN NOT NULL DEFAULT false;
  DROP INDEX runs_active;
  CREATE INDEX runs_active ON runs (status) WHERE status IN ('waiting', 'queued', 'launching', 'running');
  `,
  /* 5: each job keeps its progress (JobProgress); jobs stored before have none */ `
  ALTER TABLE jobs ADD COLUMN progress JSONB NOT NULL DEFAULT '{"lastSuccess":null,"lastOutcome":null,"consumed":{}}';
  `,
  /* 6: owners, the people behind jobs */ `
  CREATE TABLE owners (
    name        TEXT COLLATE "C" PRIMARY KEY,
    spec        JSONB NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
  );
  `,
  /* 7: the notice outbox; seq orders it as the notices were put */ `
  CREATE TABLE notices (
    seq     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id      TEXT COLLATE "C" NOT NULL UNIQUE,
    target  JSONB NOT NULL,
    facts   JSONB NOT NULL
  );
  `,
  /* 8: API tokens (the secret only as a scrypt hash) and the audit log */ `
  CREATE TABLE tokens (
    id      TEXT COLLATE "C" PRIMARY KEY,
    record  JSONB NOT NULL
  );
  CREATE TABLE audit (
    id      TEXT COLLATE "C" PRIMARY KEY,
    at      BIGINT NOT NULL,
    entry   JSONB NOT NULL
  );
  CREATE INDEX audit_newest ON audit (at DESC, id DESC);
  `,
  /* 9: what a run used (CPU time, peak memory), where its agent measures it */ `
  ALTER TABLE runs ADD COLUMN usage JSONB;
  `,
];

/**
 * Bring `schema` up to date. Several servers may start at once: an advisory lock per
 * schema makes them take turns, and the loser finds the work done.
 */
export async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('moroccron.migrate.' || $1::text))`, [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    // The connection's search_path named the schema before it existed; set it again.
    await client.query(`SET LOCAL search_path TO ${schema}`);
    await client.query('CREATE TABLE IF NOT EXISTS moroccron_schema (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ version: number }>('SELECT coalesce(max(version), 0) AS version FROM moroccron_schema');
    const version = rows[0]!.version;
    if (version > MIGRATIONS.length) {
      throw new Error(`schema ${schema} has version ${version}, newer than this moroccron knows (${MIGRATIONS.length}); upgrade moroccron`);
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      await client.query(MIGRATIONS[v]!);
      await client.query('INSERT INTO moroccron_schema (version) VALUES ($1)', [v + 1]);
    }
  });
}
