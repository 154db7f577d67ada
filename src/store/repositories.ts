import { openDb, type Db } from "./db.js";
import { Store } from "./store.js";
import { UnitRepo } from "./units-repo.js";
import { CanaryStore } from "../canary/canary-store.js";
import { CronStore } from "../cron/cron-store.js";
import { GitflowStore } from "../gitflow/gitflow-store.js";
import { AccountStore } from "../accounts/account-store.js";
import { CertStore } from "../certs/cert-store.js";
import { ExternalRegistrySettings } from "../cluster/registry/external.js";
import type { Clock } from "../lib/clock.js";
import type { Keyring } from "../secrets/keyring.js";
import { BackupState } from "../ops/backup/state.js";

/**
 * One repository per aggregate, built once at start over one database: the
 * only place that holds the raw handle. `store` is the app aggregate (an app
 * and what cascades with it: config vars, domains, releases, deploys, routed
 * servers, mounts, process health).
 */
export interface Repositories {
  store: Store;
  units: UnitRepo;
  canaries: CanaryStore;
  cron: CronStore;
  gitflow: GitflowStore;
  accounts: AccountStore;
  certs: CertStore;
  /** the external registry's settings (swarm) */
  registry: ExternalRegistrySettings;
  /** the backup schedule and history (yk backup:schedule, yk backups) */
  backups: BackupState;
  /** A consistent copy of the database at `file`, written while others go on writing (SQLite's online backup API). */
  snapshot(file: string): Promise<unknown>;
  close(): void;
}

export function openRepositories(path: string, clock: Clock, keyring: Keyring): Repositories {
  return repositoriesOf(openDb(path), clock, keyring);
}

/** Over an open database (`:memory:` in tests). */
export function repositoriesOf(db: Db, clock: Clock, keyring: Keyring): Repositories {
  return {
    store: new Store(db, clock, keyring),
    units: new UnitRepo(db, clock),
    canaries: new CanaryStore(db),
    cron: new CronStore(db, clock),
    gitflow: new GitflowStore(db, clock, keyring),
    accounts: new AccountStore(db, clock),
    certs: new CertStore(db, keyring),
    registry: new ExternalRegistrySettings(db, keyring),
    backups: new BackupState(db),
    snapshot: (file) => db.backup(file),
    close: () => db.close(),
  };
}
