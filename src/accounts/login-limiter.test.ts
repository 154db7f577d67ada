import { test } from "node:test";
import assert from "node:assert/strict";
import { LoginLimiter } from "./login-limiter.js";

test("five failures lock the account from that address for the rest of the window; a success clears it", () => {
  let t = 0;
  const l = new LoginLimiter({ now: () => new Date(t) }, { max: 5, perIpMax: 20, windowMs: 60_000 });
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

test("many accounts guessed from one address hit the per-address limit", () => {
  const l = new LoginLimiter({ now: () => new Date(0) }, { max: 5, perIpMax: 20, windowMs: 60_000 });
  for (let i = 0; i < 20; i++) l.fail(`u${i}@x.io`, "9.9.9.9");
  assert.ok(l.retryAfterMs("new@x.io", "9.9.9.9") > 0);
});
