import { test } from "node:test";
import assert from "node:assert/strict";
import { DUMMY_HASH, hashPassword, passwordProblem, verifyPassword } from "./password.js";

test("scrypt hashes are salted, verify the right password only, and carry their parameters", async () => {
  const a = await hashPassword("correct horse battery");
  const b = await hashPassword("correct horse battery");
  assert.notEqual(a, b);
  assert.match(a, /^scrypt\$32768\$8\$1\$/);
  assert.equal(await verifyPassword("correct horse battery", a), true);
  assert.equal(await verifyPassword("correct horse batterY", a), false);
  assert.equal(await verifyPassword("anything at all", DUMMY_HASH), false);
  assert.equal(await verifyPassword("x", "plain"), false);
});

test("passwords: at least 12 characters, at most 1024", () => {
  assert.match(passwordProblem("short") ?? "", /at least 12/);
  assert.equal(passwordProblem("twelve chars"), null);
  assert.match(passwordProblem("x".repeat(1025)) ?? "", /at most 1024/);
  assert.match(passwordProblem(42) ?? "", /string/);
});
