import { test } from "node:test";
import assert from "node:assert/strict";
import { planLive, type LiveState } from "./live-plan.js";
import type { LiveServer } from "./stat-parse.js";
import type { DesiredRouter } from "./types.js";

const MAP = "/d/hosts.map";
const OPTS = "pool-max-conn -1 pool-purge-delay 5s";
const live = (
  servers: Omit<LiveServer, "backend">[],
  map: Record<string, string[]> = { "a.test": ["app_a"] },
): LiveState => ({
  backends: ["yadokari_not_found", "app_a"],
  servers: servers.map((s) => ({ backend: "app_a", ...s })),
  map: new Map(Object.entries(map)),
});
const srv = (name: string, port: number, weight = 10, adminState = 0) => ({
  name,
  address: "10.0.0.2",
  port,
  weight,
  adminState,
});
const cmds = (d: DesiredRouter, l: LiveState) => planLive(d, l, MAP).steps.map((s) => s.command);

test("nothing to do when live equals desired (drain = weight 0, as after a restart)", () => {
  const d: DesiredRouter = {
    hosts: { "a.test": "app_a" },
    backends: [
      { name: "app_a", servers: [{ name: "s1", address: "10.0.0.2", port: 5000, weight: 10, state: "drain" }] },
    ],
  };
  assert.deepEqual(cmds(d, live([srv("s1", 5000, 0)])), []);
});

test("switch A → B: add and enable B before any removal, hosts in between", () => {
  const d: DesiredRouter = {
    hosts: { "a.test": "app_a", "b.test": "app_a" },
    backends: [
      { name: "app_a", servers: [{ name: "B", address: "10.0.0.3", port: 5000, weight: 10, state: "ready" }] },
    ],
  };
  const steps = planLive(d, live([srv("A", 5000)]), MAP).steps;
  assert.deepEqual(
    steps.map((s) => [s.command, s.expect, s.retry ?? false]),
    [
      [`add server app_a/B 10.0.0.3:5000 weight 10 ${OPTS}`, "server-added", false],
      ["enable server app_a/B", "empty", false],
      [`add map ${MAP} b.test app_a`, "empty", false],
      ["set server app_a/A state maint", "empty", false],
      ["shutdown sessions server app_a/A", "empty", false],
      ["del server app_a/A", "server-deleted", true],
    ],
  );
});

test("drain sets weight 0; back to ready restores the weight and clears a forced admin state", () => {
  const d = (state: "ready" | "drain"): DesiredRouter => ({
    hosts: { "a.test": "app_a" },
    backends: [{ name: "app_a", servers: [{ name: "s1", address: "10.0.0.2", port: 5000, weight: 7, state }] }],
  });
  assert.deepEqual(cmds(d("drain"), live([srv("s1", 5000, 7)])), ["set weight app_a/s1 0"]);
  assert.deepEqual(cmds(d("ready"), live([srv("s1", 5000, 0, 0x08)])), [
    "set weight app_a/s1 7",
    "set server app_a/s1 state ready",
  ]);
});

test("a moved container gets its address changed in place", () => {
  const d: DesiredRouter = {
    hosts: { "a.test": "app_a" },
    backends: [
      { name: "app_a", servers: [{ name: "s1", address: "10.0.0.9", port: 5001, weight: 10, state: "ready" }] },
    ],
  };
  assert.deepEqual(cmds(d, live([srv("s1", 5000)])), ["set server app_a/s1 addr 10.0.0.9 port 5001"]);
});

test("hosts: set when pointing elsewhere (also over duplicates), delete when gone", () => {
  const d: DesiredRouter = {
    hosts: { "a.test": "app_a" },
    backends: [
      { name: "app_a", servers: [] },
      { name: "app_b", servers: [] },
    ],
  };
  const l: LiveState = {
    ...live([]),
    backends: ["app_a", "app_b"],
    map: new Map([
      ["a.test", ["app_b", "app_a"]],
      ["old.test", ["app_b"]],
      ["constructor", ["app_b"]],
    ]),
  };
  assert.deepEqual(cmds(d, l), [
    `set map ${MAP} a.test app_a`,
    `del map ${MAP} old.test`,
    `del map ${MAP} constructor`,
  ]);
});

test("backends the process lacks are reported, not planned", () => {
  const d: DesiredRouter = {
    hosts: {},
    backends: [{ name: "app_new", servers: [{ name: "s", address: "10.0.0.2", port: 1, weight: 1, state: "ready" }] }],
  };
  const plan = planLive(d, live([]), MAP);
  assert.deepEqual(plan.missingBackends, ["app_new"]);
  assert.deepEqual(
    plan.steps.map((s) => s.command),
    [`del map ${MAP} a.test`],
  );
});

test("sticky backend: after adding a server the cookie key is set again, so the new server gets its cookie", () => {
  const d: DesiredRouter = {
    hosts: { "a.test": "app_a" },
    backends: [
      {
        name: "app_a",
        sticky: { key: "k3y0123456789abc" },
        servers: [
          { name: "s1", address: "10.0.0.2", port: 5000, weight: 10, state: "ready" },
          { name: "s2", address: "10.0.0.3", port: 5000, weight: 10, state: "ready" },
        ],
      },
    ],
  };
  const c = cmds(d, live([srv("s1", 5000)]));
  assert.deepEqual(c, [
    `add server app_a/s2 10.0.0.3:5000 weight 10 ${OPTS}`,
    "enable server app_a/s2",
    "set dynamic-cookie-key backend app_a k3y0123456789abc",
  ]);
  // nothing added: nothing to do
  assert.deepEqual(
    cmds(
      { ...d, backends: [{ ...d.backends[0], servers: d.backends[0].servers.slice(0, 1) }] },
      live([srv("s1", 5000)]),
    ),
    [],
  );
});
