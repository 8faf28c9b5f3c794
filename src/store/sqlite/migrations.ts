/**
 * Schema versions, applied in order; `PRAGMA user_version` records how far a database
 * has come. Never edit a shipped migration: add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  /* 1: jobs, runs with their idempotency key, and the fencing epoch */ `
  CREATE TABLE jobs (
    name        TEXT PRIMARY KEY,
    spec        TEXT NOT NULL,
    cursor      INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );
  CREATE TABLE runs (
    id            TEXT PRIMARY KEY,
    job           TEXT NOT NULL,
    key           TEXT NOT NULL,
    trigger       TEXT NOT NULL,
    scheduled_at  INTEGER NOT NULL,
    claimed_at    INTEGER NOT NULL,
    started_at    INTEGER,
    finished_at   INTEGER,
    attempt       INTEGER NOT NULL,
    status        TEXT NOT NULL,
    exit_code     INTEGER,
    reason        TEXT,
    agent         TEXT,
    task_id       TEXT,
    root_id       TEXT NOT NULL,
    deadline      INTEGER,
    kill_reason   TEXT,
    UNIQUE (job, key)
  );
  CREATE INDEX runs_by_job ON runs (job, scheduled_at DESC, id DESC);
  CREATE INDEX runs_by_time ON runs (scheduled_at DESC, id DESC);
  CREATE INDEX runs_active ON runs (status) WHERE status IN ('queued', 'launching', 'running');
  CREATE TABLE leadership (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    epoch  INTEGER NOT NULL,
    owner  TEXT,
    since  INTEGER
  );
  INSERT INTO leadership (id, epoch) VALUES (1, 0);
  `,
  /* 2: backend metadata (the Mesos framework ID) and the agent blacklist */ `
  CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
  );
  CREATE TABLE agent_blacklist (
    agent   TEXT PRIMARY KEY,
    reason  TEXT NOT NULL,
    since   INTEGER NOT NULL
  );
  `,
  /* 3: each run keeps its job's labels (JSON text) from when it was claimed */ `
  ALTER TABLE runs ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';
  `,
];
