/** Ordered schema migrations; the index + 1 is the schema version. Never edit one that has shipped: add another. */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
  );
  CREATE TABLE apps (
    name TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    web_replicas INTEGER NOT NULL DEFAULT 1,
    live_release_id INTEGER
  );
  CREATE TABLE domains (
    hostname TEXT PRIMARY KEY,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    created_at TEXT NOT NULL
  );
  CREATE TABLE releases (
    id INTEGER PRIMARY KEY,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    image TEXT NOT NULL,
    commit_sha TEXT,
    description TEXT NOT NULL,
    processes TEXT NOT NULL,
    config TEXT NOT NULL,
    healthcheck TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (app, version)
  );
  CREATE TABLE deploys (
    id INTEGER PRIMARY KEY,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    commit_sha TEXT,
    ref TEXT,
    release_id INTEGER,
    reason TEXT,
    container_log TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX deploys_app ON deploys (app, id);
  CREATE TABLE deploy_steps (
    id INTEGER PRIMARY KEY,
    deploy_id INTEGER NOT NULL REFERENCES deploys(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    detail TEXT
  );
  CREATE TABLE deploy_log (
    deploy_id INTEGER NOT NULL REFERENCES deploys(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (deploy_id, seq)
  );
  CREATE TABLE routed_servers (
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    process TEXT NOT NULL,
    name TEXT NOT NULL,
    container_id TEXT NOT NULL,
    release_id INTEGER NOT NULL,
    address TEXT NOT NULL,
    port INTEGER NOT NULL,
    weight INTEGER NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (app, process, name)
  );
  `,
  `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // The app model: formation (process type → count) replaces web_replicas;
  // config vars are sealed (AES-256-GCM) per app and name; releases record
  // their formation, who made them and the manifest parts a deploy needs.
  `
  ALTER TABLE apps ADD COLUMN formation TEXT NOT NULL DEFAULT '{}';
  UPDATE apps SET formation = json_object('web', web_replicas);
  ALTER TABLE apps DROP COLUMN web_replicas;
  ALTER TABLE apps ADD COLUMN deploy_settings TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE apps ADD COLUMN stopped INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE config_vars (
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    key TEXT NOT NULL,
    sealed TEXT NOT NULL,
    PRIMARY KEY (app, key)
  );
  ALTER TABLE releases ADD COLUMN formation TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE releases ADD COLUMN created_by TEXT NOT NULL DEFAULT 'admin';
  ALTER TABLE releases ADD COLUMN manifest TEXT NOT NULL DEFAULT '{}';
  CREATE TABLE mounts (
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    host_path TEXT NOT NULL,
    container_path TEXT NOT NULL,
    PRIMARY KEY (app, container_path)
  );
  CREATE TABLE process_health (
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    process TEXT NOT NULL,
    restarts INTEGER NOT NULL DEFAULT 0,
    crashes_in_row INTEGER NOT NULL DEFAULT 0,
    last_exit_code INTEGER,
    last_crash_at TEXT,
    backoff_until TEXT,
    PRIMARY KEY (app, process)
  );
  `,
  // Cron history: one row per run of a job (skipped ones too), the last ones
  // per job kept (src/cron/cron-store.ts prunes on insert). The newest
  // scheduled_for of a job is where the scheduler resumes after a restart.
  `
  CREATE TABLE cron_runs (
    id INTEGER PRIMARY KEY,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    job TEXT NOT NULL,
    release_version INTEGER NOT NULL,
    source TEXT NOT NULL,
    scheduled_for TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    exit_code INTEGER,
    status TEXT NOT NULL,
    output_tail TEXT NOT NULL DEFAULT ''
  );
  CREATE INDEX cron_runs_job ON cron_runs (app, job, id);
  CREATE INDEX cron_runs_running ON cron_runs (status) WHERE status = 'running';
  `,
  // Progressive delivery: a deploy may name its strategy (yk deploy --strategy);
  // a canary's step state is recorded so a restarted server continues or
  // aborts it from the recorded step (src/canary/canary-store.ts). A blue-green
  // deploy keeps the old web set idle until `until` (ms) for a switch back.
  `
  ALTER TABLE deploys ADD COLUMN strategy TEXT;
  CREATE TABLE canaries (
    deploy_id INTEGER PRIMARY KEY REFERENCES deploys(id) ON DELETE CASCADE,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    release_id INTEGER NOT NULL,
    previous_release_id INTEGER NOT NULL,
    settings TEXT NOT NULL,
    state TEXT NOT NULL,
    step_index INTEGER NOT NULL DEFAULT -1,
    percent REAL NOT NULL DEFAULT 0,
    new_weight INTEGER NOT NULL DEFAULT 0,
    old_weight INTEGER NOT NULL DEFAULT 100,
    started_at INTEGER NOT NULL,
    step_started_at INTEGER,
    paused_at INTEGER,
    paused_ms INTEGER NOT NULL DEFAULT 0,
    command TEXT,
    verdict TEXT,
    finished_at INTEGER
  );
  CREATE INDEX canaries_app ON canaries (app, deploy_id);
  CREATE TABLE standby (
    app TEXT PRIMARY KEY REFERENCES apps(name) ON DELETE CASCADE,
    release_id INTEGER NOT NULL,
    until INTEGER NOT NULL
  );
  `,
];
