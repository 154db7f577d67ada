import { test } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { openDb } from "./db.js";
import { MIGRATIONS } from "./migrations.js";
import { Store } from "./store.js";
import { Keyring } from "../secrets/keyring.js";
import { systemClock } from "../lib/clock.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const NUMBERING = MIGRATIONS.findIndex((m) => m.includes("ADD COLUMN number"));

test("deploys are numbered per app (#1, #2, … of that app), whatever other apps deploy in between", () => {
  const store = new Store(openDb(":memory:"), systemClock, Keyring.ephemeral());
  store.createApp("shop");
  store.createApp("blog");
  const make = (app: string) =>
    store.createDeploy({
      app,
      source: "tar",
      commit: null,
      ref: null,
      actor: "admin",
      intent: { changes: [], description: "x" },
    });
  const [s1, b1, s2, b2, s3] = [make("shop"), make("blog"), make("shop"), make("blog"), make("shop")];
  assert.deepEqual(
    [s1, b1, s2, b2, s3].map((d) => d.number),
    [1, 1, 2, 2, 3],
  );
  assert.equal(store.getDeployByNumber("shop", 2)?.id, s2.id);
  assert.equal(store.getDeployByNumber("blog", 2)?.id, b2.id);
  assert.equal(store.getDeployByNumber("blog", 3), null);
});

test("the migration numbers existing deploys per app in the order they were made", () => {
  // a store at the schema version before the numbering, with deploys of two apps interleaved
  const dir = mkdtempSync(join(tmpdir(), "yk-deploy-numbers-"));
  const file = join(dir, "store.db");
  try {
    const old = new Database(file);
    old.transaction(() => {
      for (const m of MIGRATIONS.slice(0, NUMBERING)) old.exec(m);
      old.pragma(`user_version = ${NUMBERING}`);
    })();
    old.exec("INSERT INTO apps (name, created_at) VALUES ('shop', 't'), ('blog', 't')");
    const insert = old.prepare(
      "INSERT INTO deploys (id, app, status, source, created_at) VALUES (?, ?, 'succeeded', 'tar', 't')",
    );
    for (const [id, app] of [
      [3, "shop"],
      [5, "blog"],
      [8, "shop"],
      [9, "shop"],
      [12, "blog"],
    ] as const)
      insert.run(id, app);
    old.close();
    // openDb runs the remaining migrations, as a server start does
    const migrated = openDb(file);
    const rows = migrated.prepare("SELECT id, app, number FROM deploys ORDER BY id").all();
    migrated.close();
    assert.deepEqual(rows, [
      { id: 3, app: "shop", number: 1 },
      { id: 5, app: "blog", number: 1 },
      { id: 8, app: "shop", number: 2 },
      { id: 9, app: "shop", number: 3 },
      { id: 12, app: "blog", number: 2 },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
