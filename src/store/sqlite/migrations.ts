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
  /* 4: runs keep the runs that caused them and whether a late notice went out; waiting runs are unfinished */ `
  ALTER TABLE runs ADD COLUMN causes TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE runs ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
  DROP INDEX runs_active;
  CREATE INDEX runs_active ON runs (status) WHERE status IN ('waiting', 'queued', 'launching', 'running');
  `,
  /* 5: each job keeps its progress (JobProgress JSON); jobs stored before have none */ `
  ALTER TABLE jobs ADD COLUMN progress TEXT NOT NULL DEFAULT '{"lastSuccess":null,"lastOutcome":null,"consumed":{}}';
  `,
  /* 6: owners, the people behind jobs */ `
  CREATE TABLE owners (
    name        TEXT PRIMARY KEY,
    spec        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );
  `,
  /* 7: the notice outbox; seq (the rowid) orders it as the notices were put */ `
  CREATE TABLE notices (
    seq     INTEGER PRIMARY KEY,
    id      TEXT NOT NULL UNIQUE,
    target  TEXT NOT NULL,
    facts   TEXT NOT NULL
  );
  `,
  /* 8: API tokens (the secret only as a scrypt hash) and the audit log */ `
  CREATE TABLE tokens (
    id      TEXT PRIMARY KEY,
    record  TEXT NOT NULL
  );
  CREATE TABLE audit (
    id      TEXT PRIMARY KEY,
    at      INTEGER NOT NULL,
    entry   TEXT NOT NULL
  );
  CREATE INDEX audit_newest ON audit (at DESC, id DESC);
  `,
  /* 9: what a run used (CPU time, peak memory), where its agent measures it */ `
  ALTER TABLE runs ADD COLUMN usage TEXT;
  `,
];
