import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { openDb, SCHEMA_VERSION } from "./db.js";
import { Store } from "./store.js";
import { Keyring } from "../secrets/keyring.js";
import { systemClock } from "../lib/clock.js";
import { isAppError } from "../errors/app-error.js";

const FIXTURES = fileURLToPath(new URL("../../../test/fixtures/stores/", import.meta.url));

/** A copy of a fixture's data dir: the committed files are never opened for writing. */
function copyFixture(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), "yk-upgrade-"));
  for (const f of ["yadokari.db", "master.key", "admin-token", "manifest.json"])
    copyFileSync(join(FIXTURES, name, f), join(dir, f));
  return dir;
}

const released = readdirSync(FIXTURES).filter((d) => statSync(join(FIXTURES, d)).isDirectory());

test("there is a store fixture of every released version", () => {
  assert.ok(released.includes("v0.1.0"), `fixtures: ${released.join(", ")}`);
});

for (const name of released) {
  test(`a store made by ${name} migrates to schema ${SCHEMA_VERSION} with its apps, releases, users, config vars and review app`, async () => {
    const dir = copyFixture(name);
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
      const before = new Database(join(dir, "yadokari.db"), { readonly: true });
      const oldVersion = before.pragma("user_version", { simple: true }) as number;
      before.close();
      assert.ok(oldVersion < SCHEMA_VERSION, `${name} is at schema ${oldVersion}`);

      const keyring = await Keyring.open(join(dir, "master.key"));
      const db = openDb(join(dir, "yadokari.db"));
      assert.equal(db.pragma("user_version", { simple: true }), SCHEMA_VERSION);
      const store = new Store(db, systemClock, keyring);
      const apps = store.listApps();
      assert.deepEqual(apps.map((a) => a.name).sort(), manifest.apps.map((a: { name: string }) => a.name).sort());
      for (const a of manifest.apps) {
        const app = apps.find((x) => x.name === a.name)!;
        const live = store.getRelease(app.liveReleaseId!)!;
        assert.equal(live.version, a.live.version, `${a.name}'s live release`);
        assert.equal(live.image, a.live.image);
        assert.deepEqual(app.formation, a.formation);
      }
      // config vars and the release's config snapshot decrypt with the fixture's key
      assert.deepEqual(Object.keys(store.configVars("fx-shop")).sort(), manifest.configKeys);
      assert.equal(store.configVars("fx-shop").GREETING, "hello from the fixture");
      const shop = store.getRelease(store.getApp("fx-shop")!.liveReleaseId!)!;
      assert.equal(shop.config.SECRET_KEY, "s3cr3t");
      assert.ok(Object.keys(shop.processes).includes("worker"));
      assert.deepEqual(store.listDomains("fx-shop"), ["shop.fixture.test"]);
      // users, the bootstrap token, the review app, cron jobs of the live release
      const emails = db.prepare("SELECT email FROM users ORDER BY email").all() as { email: string }[];
      assert.deepEqual(
        emails.map((u) => u.email),
        manifest.users,
      );
      const token = readFileSync(join(dir, "admin-token"), "utf8").trim();
      const hash = createHash("sha256").update(token).digest("hex");
      assert.ok(db.prepare("SELECT 1 FROM tokens WHERE hash = ? AND user_id IS NULL").get(hash), "admin token");
      const review = db.prepare("SELECT parent, branch FROM review_apps WHERE app = ?").get(manifest.reviewApp.app);
      assert.deepEqual(review, { parent: manifest.reviewApp.parent, branch: manifest.reviewApp.branch });
      const cron = store.getRelease(store.getApp("fx-cron")!.liveReleaseId!)!.manifest.cron;
      assert.deepEqual(
        cron.map((j) => j.name),
        ["quick", "fails", "slow"],
      );
      db.close();
      // a second open is a no-op: nothing left to migrate
      openDb(join(dir, "yadokari.db")).close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("a store newer than this code understands is refused with a message, and left untouched", () => {
  const dir = mkdtempSync(join(tmpdir(), "yk-upgrade-"));
  try {
    const path = join(dir, "yadokari.db");
    const future = new Database(path);
    future.exec("CREATE TABLE future (x INTEGER)");
    future.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    future.close();
    const bytes = readFileSync(path);
    assert.throws(
      () => openDb(path),
      (e: unknown) =>
        isAppError(e) &&
        e.code === "store_too_new" &&
        e.message.includes(`schema version ${SCHEMA_VERSION + 1}`) &&
        e.message.includes(`up to ${SCHEMA_VERSION}`) &&
        /restore a backup/.test(e.hint),
    );
    assert.deepEqual(readFileSync(path), bytes, "the store was not modified");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
