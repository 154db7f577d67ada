import { test } from "node:test";
import assert from "node:assert/strict";
import { openDb } from "../store/db.js";
import { Store } from "../store/store.js";
import { Keyring } from "../secrets/keyring.js";
import { systemClock } from "../lib/clock.js";
import { EMPTY_MANIFEST } from "../domain/types.js";
import type { ObservedContainer } from "../docker/port.js";
import type { EngineContext } from "../engine/context.js";
import { routeFixes, settleRoutes } from "./boot-routes.js";
import { DEFAULT_HEALTHCHECK } from "../manifest/app-json.js";

test("only a route's own container counts: a canary's running servers of a release that is not live stay", () => {
  const server = {
    app: "shop",
    process: "web",
    name: "yk-shop-web-v2-c",
    containerId: "c2",
    releaseId: 9,
    address: "172.18.0.9",
    port: 5000,
    weight: 20,
    state: "ready" as const,
  };
  const running: ObservedContainer = {
    id: "c2",
    name: "yk-shop-web-v2-c",
    app: "shop",
    process: "web",
    release: 2,
    state: "running",
    status: "Up",
    ip: "172.18.0.9",
    startedAt: null,
  };
  assert.deepEqual(routeFixes([server], [running]), { unroute: [], readdress: [] });
  assert.deepEqual(routeFixes([server], [{ ...running, state: "exited" }]).unroute, [server]);
  assert.deepEqual(routeFixes([server], [{ ...running, ip: "172.18.0.4" }]).readdress, [
    { server, address: "172.18.0.4" },
  ]);
});

test("before the router starts, routes follow the containers Docker runs now: moved ones re-addressed, gone ones removed", async () => {
  const store = new Store(openDb(":memory:"), systemClock, Keyring.ephemeral());
  for (const name of ["shop", "blog"]) {
    store.createApp(name);
    const r = store.createRelease({
      app: name,
      image: `yadokari/${name}:1`,
      commit: null,
      description: "Deploy",
      processes: { web: null },
      config: {},
      healthcheck: DEFAULT_HEALTHCHECK,
      formation: { web: 1 },
      manifest: EMPTY_MANIFEST,
      createdBy: "admin",
    });
    store.setFormation(name, { web: 1 });
    store.setLiveRelease(name, r.id);
    store.upsertRoutedServer({
      app: name,
      process: "web",
      name: `yk-${name}-web-v1-a`,
      containerId: `${name}-id`,
      releaseId: r.id,
      address: name === "shop" ? "172.18.0.2" : "172.18.0.3",
      port: 5000,
      weight: 100,
      state: "ready",
    });
  }
  // After dockerd restarted: shop's container came back at blog's old address; blog's is gone.
  const observed: ObservedContainer[] = [
    {
      id: "shop-id",
      name: "yk-shop-web-v1-a",
      app: "shop",
      process: "web",
      release: 1,
      state: "running",
      status: "Up 1 second",
      ip: "172.18.0.3",
      startedAt: null,
    },
  ];
  const ctx = { store, docker: { list: async () => observed } } as unknown as EngineContext;
  assert.deepEqual(await settleRoutes(ctx), { unrouted: 1, readdressed: 1 });
  assert.deepEqual(
    store.routedServers().map((s) => [s.app, s.address]),
    [["shop", "172.18.0.3"]],
  );
});
