import { test } from "node:test";
import assert from "node:assert/strict";
import { gate, type GateDeps, type ProbeResult } from "./gate.js";
import { DEFAULT_HEALTHCHECK } from "../../manifest/app-json.js";

function fakeDeps(answers: (ProbeResult | Error)[], running = () => true): GateDeps & { calls: number } {
  let t = 0;
  const d = {
    calls: 0,
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
    state: async () => ({ running: running(), exitCode: running() ? null : 1 }),
    probe: async () => {
      const a = answers[Math.min(d.calls++, answers.length - 1)];
      t += 5;
      if (a instanceof Error) throw a;
      return a;
    },
  };
  return d;
}
const target = { id: "c1", name: "yk-shop-web-v1-aa", address: "10.0.0.2", port: 5000 };
const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });

test("passes once the app answers below 500", async () => {
  const deps = fakeDeps([refused, refused, { status: 404, body: "" }]);
  assert.deepEqual(await gate(target, DEFAULT_HEALTHCHECK, deps), { ok: true, attempts: 3 });
});

test("a 500 until the deadline fails with the last status", async () => {
  const r = await gate(target, DEFAULT_HEALTHCHECK, fakeDeps([{ status: 500, body: "" }]));
  assert.equal(r.ok, false);
  assert.match(
    (r as { reason: string }).reason,
    /did not pass its health check \(GET \/ on port 5000\) in 60\.0 s: last attempt answered 500/,
  );
});

test("never listening says so", async () => {
  const r = await gate(target, DEFAULT_HEALTHCHECK, fakeDeps([refused]));
  assert.match((r as { reason: string }).reason, /nothing listens on port 5000/);
});

test("an exited container fails at once", async () => {
  const deps = fakeDeps([refused], () => false);
  const r = await gate(target, DEFAULT_HEALTHCHECK, deps);
  assert.deepEqual(r, {
    ok: false,
    exited: true,
    reason: "container yk-shop-web-v1-aa exited with code 1 before passing its health check (GET /)",
  });
  assert.equal(deps.calls, 0);
});

test("a container that had no address and then restarts (Docker's restart policy) fails as exited, with its code", async () => {
  let states = 0;
  const deps = fakeDeps([refused], () => states++ < 1);
  const r = await gate({ ...target, address: null }, DEFAULT_HEALTHCHECK, deps);
  assert.deepEqual(r, {
    ok: false,
    exited: true,
    reason: "container yk-shop-web-v1-aa exited with code 1 before passing its health check (GET /)",
  });
  assert.equal(deps.calls, 0, "nothing is probed without an address");
});

test("a container that never gets an address fails its gate saying so", async () => {
  const r = await gate({ ...target, address: null }, DEFAULT_HEALTHCHECK, fakeDeps([refused]));
  assert.match((r as { reason: string }).reason, /last attempt found no address on the yadokari network/);
});

test("Dokku's attempts and content are honoured", async () => {
  const hc = {
    ...DEFAULT_HEALTHCHECK,
    path: "/health",
    attempts: 2,
    wait: 1,
    content: "ok",
    maxStatus: 400,
    deadline: 100,
  };
  const deps = fakeDeps([{ status: 200, body: "starting" }]);
  const r = await gate(target, hc, deps);
  assert.equal(deps.calls, 2);
  assert.match((r as { reason: string }).reason, /answered 200 without the expected content "ok"/);
});

test("an exited container without an address is reported as exited, not as unaddressed", async () => {
  const r = await gate(
    { ...target, address: null },
    DEFAULT_HEALTHCHECK,
    fakeDeps([refused], () => false),
  );
  assert.equal(r.ok, false);
  assert.match((r as { reason: string }).reason, /exited with code 1/);
});
