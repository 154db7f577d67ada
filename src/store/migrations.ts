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
  // Git sources, webhooks, review apps (issue 4). Secrets (webhook secret,
  // repository URL with credentials, review-app config overrides) are sealed
  // per app and name like config vars. Deliveries: an accepted delivery id is
  // unique per app and provider, and so is its body's hash (a redelivery, or a
  // signed body replayed under another delivery id, is not deployed twice); refused
  // ones are recorded too but never block a genuine delivery.
  `
  CREATE TABLE app_secrets (
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    name TEXT NOT NULL,
    sealed TEXT NOT NULL,
    PRIMARY KEY (app, name)
  );
  CREATE TABLE git_sources (
    app TEXT PRIMARY KEY REFERENCES apps(name) ON DELETE CASCADE,
    url_display TEXT NOT NULL,
    branch TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE hook_deliveries (
    id INTEGER PRIMARY KEY,
    app TEXT NOT NULL REFERENCES apps(name) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    event TEXT NOT NULL,
    accepted INTEGER NOT NULL,
    body_sha256 TEXT NOT NULL,
    ref TEXT,
    commit_sha TEXT,
    outcome TEXT NOT NULL,
    target_app TEXT,
    deploy_id INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX hook_deliveries_accepted ON hook_deliveries (app, provider, delivery_id) WHERE accepted = 1;
  CREATE UNIQUE INDEX hook_deliveries_body ON hook_deliveries (app, provider, body_sha256) WHERE accepted = 1;
  CREATE INDEX hook_deliveries_app ON hook_deliveries (app, id);
  CREATE TABLE review_settings (
    app TEXT PRIMARY KEY REFERENCES apps(name) ON DELETE CASCADE,
    enabled INTEGER NOT NULL,
    ttl_sec INTEGER NOT NULL
  );
  CREATE TABLE review_apps (
    app TEXT PRIMARY KEY REFERENCES apps(name) ON DELETE CASCADE,
    parent TEXT NOT NULL,
    branch TEXT NOT NULL,
    slug TEXT NOT NULL,
    last_push_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (parent, branch),
    UNIQUE (parent, slug)
  );
  `,
  // Accounts (issue 5): users with roles and app grants, personal tokens
  // (the bootstrap admin token has no user), browser sessions, the audit log.
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'deployer', 'viewer')),
    all_apps INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
  );
  CREATE TABLE user_apps (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    app TEXT NOT NULL,
    PRIMARY KEY (user_id, app)
  );
  ALTER TABLE tokens ADD COLUMN user_id INTEGER REFERENCES users(id) ON DELETE CASCADE;
  ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
  CREATE TABLE sessions (
    hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    app TEXT,
    ip TEXT NOT NULL,
    status INTEGER NOT NULL,
    ok INTEGER NOT NULL
  );
  CREATE INDEX audit_app ON audit (app, id);
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
  // HTTPS (issue 13): certificates (ACME ones keyed by hostname, uploaded ones
  // by app), private keys sealed like config vars; every ACME attempt's result;
  // per-hostname backoff; each app's TLS settings (automatic certificates,
  // redirect to HTTPS, HSTS). Times are ms since the epoch.
  `
  CREATE TABLE tls_settings (
    app TEXT PRIMARY KEY REFERENCES apps(name) ON DELETE CASCADE,
    auto INTEGER NOT NULL DEFAULT 1,
    redirect_https INTEGER NOT NULL DEFAULT 1,
    hsts_max_age INTEGER
  );
  CREATE TABLE certificates (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL CHECK (source IN ('acme', 'uploaded')),
    app TEXT REFERENCES apps(name) ON DELETE CASCADE,
    hostname TEXT,
    names TEXT NOT NULL,
    chain TEXT NOT NULL,
    key_sealed TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    issuer TEXT NOT NULL,
    not_before INTEGER NOT NULL,
    not_after INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX certificates_acme_host ON certificates (hostname) WHERE source = 'acme';
  CREATE INDEX certificates_app ON certificates (app);
  CREATE TABLE cert_attempts (
    id INTEGER PRIMARY KEY,
    hostname TEXT NOT NULL,
    kind TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    ok INTEGER,
    ordered INTEGER NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT ''
  );
  CREATE INDEX cert_attempts_host ON cert_attempts (hostname, id);
  CREATE TABLE acme_backoff (
    hostname TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    next_at INTEGER NOT NULL
  );
  `,
  // The audit log in words (issue 15): what a change did, and the deploy or webhook delivery it started,
  // so the entry can say later how that ended (src/accounts/audit-words.ts).
  `
  ALTER TABLE audit ADD COLUMN summary TEXT;
  ALTER TABLE audit ADD COLUMN link TEXT;
  `,
  // The deploy lifecycle (issue 10). The deploys table is the queue: a deploy
  // records what it will do as data (`intent`: the release changes, sealed
  // like config vars, so a queued deploy survives a restart), who asked for
  // it, the stable code of a failure, and the newer deploy that superseded it.
  // Units: every container (or task) an engine creates is recorded here when
  // it is created; the platform acts only on recorded units, never on labels.
  // `id` is null between the record and the engine's answer.
  `
  ALTER TABLE deploys ADD COLUMN intent TEXT;
  ALTER TABLE deploys ADD COLUMN actor TEXT NOT NULL DEFAULT 'admin';
  ALTER TABLE deploys ADD COLUMN error_code TEXT;
  ALTER TABLE deploys ADD COLUMN superseded_by INTEGER;
  CREATE INDEX deploys_status ON deploys (status, app, id);
  CREATE TABLE units (
    name TEXT PRIMARY KEY,
    id TEXT,
    app TEXT NOT NULL,
    process TEXT NOT NULL,
    kind TEXT NOT NULL,
    release_id INTEGER,
    release_version INTEGER NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX units_id ON units (id) WHERE id IS NOT NULL;
  CREATE INDEX units_app ON units (app, kind);
  `,
];
