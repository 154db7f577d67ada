import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../store/db.js";
import { Store } from "../store/store.js";
import { systemClock } from "../lib/clock.js";
import { Tokens, tokenFromHeader } from "./auth.js";
import { Keyring } from "../secrets/keyring.js";

test("the admin token is created once, stored hashed, written 0600, and verified", () => {
  const dir = mkdtempSync(join(tmpdir(), "yk-auth-"));
  try {
    const store = new Store(openDb(":memory:"), systemClock, Keyring.ephemeral());
    const tokens = new Tokens(store);
    const first = tokens.bootstrapAdmin(dir);
    assert.equal(first.created, true);
    const token = readFileSync(first.path, "utf8").trim();
    assert.equal(statSync(first.path).mode & 0o777, 0o600);
    assert.ok(!store.tokenHashes().includes(token), "only the hash is stored");
    assert.equal(tokens.verify(token), true);
    assert.equal(tokens.verify(token + "x"), false);
    assert.equal(tokens.verify(""), false);
    assert.equal(tokens.bootstrapAdmin(dir).created, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("tokens come from Bearer or from Basic auth's password", () => {
  assert.equal(tokenFromHeader("Bearer abc"), "abc");
  assert.equal(tokenFromHeader("Basic " + Buffer.from("git:secret").toString("base64")), "secret");
  assert.equal(tokenFromHeader("Token abc"), null);
  assert.equal(tokenFromHeader(undefined), null);
});
