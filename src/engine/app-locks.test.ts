import { test } from "node:test";
import assert from "node:assert/strict";
import { AppLocks } from "./app-locks.js";

const tick = () => new Promise((r) => setTimeout(r, 5));

test("operations on one app run one at a time, in order; other apps run alongside", async () => {
  const locks = new AppLocks();
  const order: string[] = [];
  const op = (name: string) => async () => {
    order.push(`${name} start`);
    await tick();
    order.push(`${name} end`);
  };
  await Promise.all([locks.run("a", op("a1")), locks.run("a", op("a2")), locks.run("b", op("b1"))]);
  assert.ok(order.indexOf("a1 end") < order.indexOf("a2 start"));
  assert.ok(order.indexOf("b1 start") < order.indexOf("a1 end"), "app b did not wait for app a");
});

test("a failed operation does not block the next; busy covers held background work", async () => {
  const locks = new AppLocks();
  await assert.rejects(
    locks.run("a", async () => {
      throw new Error("boom");
    }),
  );
  assert.equal(await locks.run("a", async () => 42), 42);
  let release!: () => void;
  const held = locks.hold("a", () => new Promise<void>((r) => (release = r)));
  assert.equal(locks.busy("a"), true);
  release();
  await held;
  assert.equal(locks.busy("a"), false);
  await locks.idle();
});

test("settled() waits for tracked background work of that app only", async () => {
  const locks = new AppLocks();
  let done = false;
  locks.track(
    "a",
    new Promise<void>((r) =>
      setTimeout(() => {
        done = true;
        r();
      }, 20),
    ),
  );
  locks.track("b", new Promise<void>(() => {})); // never ends: must not block app a
  await locks.settled("a");
  assert.equal(done, true);
  locks.track("a", Promise.reject(new Error("retire failed")));
  await locks.settled("a");
});
