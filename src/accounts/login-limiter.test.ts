import { test } from "node:test";
import assert from "node:assert/strict";
import { LoginLimiter } from "./login-limiter.js";

test("five failures lock the account from that address for the rest of the window; a success clears it", () => {
  let t = 0;
  const l = new LoginLimiter(
    { now: () => new Date(t) },
    { max: 5, perAccountMax: 50, windowMs: 60_000, maxKeys: 1000 },
  );
  for (let i = 0; i < 4; i++) l.fail("A@x.io", "1.1.1.1");
  assert.equal(l.retryAfterMs("a@x.io", "1.1.1.1"), 0);
  t = 10_000;
  l.fail("a@x.io", "1.1.1.1");
  assert.equal(l.retryAfterMs("a@x.io", "1.1.1.1"), 50_000, "the oldest of the five leaves the window at 60 s");
  assert.equal(l.retryAfterMs("a@x.io", "2.2.2.2"), 0, "another address is not locked");
  t = 60_000;
  assert.equal(l.retryAfterMs("a@x.io", "1.1.1.1"), 0);
  l.fail("a@x.io", "1.1.1.1");
  l.succeed("a@x.io", "1.1.1.1");
  assert.equal(l.retryAfterMs("a@x.io", "1.1.1.1"), 0);
});

test("failures for many accounts from one address lock none of the others behind it", () => {
  const l = new LoginLimiter(
    { now: () => new Date(0) },
    { max: 5, perAccountMax: 50, windowMs: 60_000, maxKeys: 1000 },
  );
  for (let i = 0; i < 100; i++) l.fail(`u${i}@x.io`, "9.9.9.9");
  assert.equal(l.retryAfterMs("new@x.io", "9.9.9.9"), 0);
});

test("one account guessed from many addresses hits the per-account limit", () => {
  const l = new LoginLimiter(
    { now: () => new Date(0) },
    { max: 5, perAccountMax: 50, windowMs: 60_000, maxKeys: 1000 },
  );
  for (let i = 0; i < 50; i++) l.fail("a@x.io", `10.0.0.${i}`);
  assert.ok(l.retryAfterMs("a@x.io", "10.9.9.9") > 0);
  assert.equal(l.retryAfterMs("b@x.io", "10.9.9.9"), 0);
});

test("the limiter keeps at most maxKeys keys, dropping the oldest", () => {
  const l = new LoginLimiter({ now: () => new Date(0) }, { max: 1, perAccountMax: 50, windowMs: 60_000, maxKeys: 10 });
  for (let i = 0; i < 20; i++) l.fail(`u${i}@x.io`, "1.1.1.1");
  assert.equal(l.retryAfterMs("u0@x.io", "1.1.1.1"), 0, "the oldest keys were dropped");
  assert.ok(l.retryAfterMs("u19@x.io", "1.1.1.1") > 0);
});
