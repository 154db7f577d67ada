import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keyring } from "./keyring.js";

test("seal/open round-trips any UTF-8 text, bound to its associated data", () => {
  const k = Keyring.ephemeral();
  for (const v of ["", "s3cr3t", "a=b=c", "line1\nline2", "日本語 🦀", "x".repeat(100000)]) {
    const sealed = k.seal(v, "config:shop:DATABASE_URL");
    assert.ok(!sealed.includes(v) || v === "", "ciphertext does not contain the value");
    assert.equal(k.open(sealed, "config:shop:DATABASE_URL"), v);
  }
  const sealed = k.seal("pw", "config:shop:A");
  assert.throws(() => k.open(sealed, "config:shop:B"), /did not decrypt/);
  assert.throws(() => k.open(sealed, "config:blog:A"), /did not decrypt/);
  assert.notEqual(k.seal("pw", "a"), k.seal("pw", "a"), "a fresh IV every time");
});

test("the key file is created 0600; rotation keeps old values readable until they are re-sealed", async () => {
  const dir = mkdtempSync(join(tmpdir(), "yk-keys-"));
  try {
    const path = join(dir, "master.key");
    const k = await Keyring.open(path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const old = k.seal("value", "aad");
    const oldId = k.currentId;
    await k.rotate();
    assert.notEqual(k.currentId, oldId);
    assert.equal(k.isStale(old), true);
    assert.equal(k.open(old, "aad"), "value");
    const fresh = k.seal(k.open(old, "aad"), "aad");
    await k.dropOldKeys();
    assert.throws(() => k.open(old, "aad"), /no longer has/);
    const reloaded = await Keyring.open(path);
    assert.equal(reloaded.open(fresh, "aad"), "value");
    assert.ok(!readFileSync(path, "utf8").includes(oldId));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
