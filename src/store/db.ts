import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.js";
import { AppError } from "../errors/app-error.js";

export type Db = Database.Database;

/** The schema version this code understands (the number of migrations). */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Opens the store and brings its schema up to date. `:memory:` for unit tests. */
export function openDb(path: string): Db {
  const db = new Database(path);
  try {
    // Checked before anything writes: a store made by a newer Yadokari is left exactly as it was.
    refuseNewer(db, path);
    db.pragma("journal_mode = WAL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/**
 * Migrations only go forward: an older server cannot know what a newer one
 * changed, so it refuses the store instead of misreading it (a downgrade is a
 * restore of a backup made by the older version).
 */
function refuseNewer(db: Db, path: string): void {
  const found = db.pragma("user_version", { simple: true }) as number;
  if (found > SCHEMA_VERSION)
    throw new AppError(
      "store_too_new",
      `the store ${path} has schema version ${found}, made by a newer Yadokari; this one understands versions up to ${SCHEMA_VERSION}`,
    );
}

function migrate(db: Db): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
