import { test } from "node:test";
import assert from "node:assert/strict";
import { openDb } from "../store/db.js";
import { Store } from "../store/store.js";
import { Keyring } from "../secrets/keyring.js";
import { systemClock } from "../lib/clock.js";
import { EMPTY_MANIFEST } from "../domain/types.js";
import type { EngineContext } from "../engine/context.js";
import { routeFixes, settleRoutes, type SeenUnit } from "./boot-routes.js";
import { DEFAULT_HEALTHCHECK } from "../manifest/app-json.js";

test("only a route's own unit counts: a canary's running servers of a release that is not live stay", () => {
  const server = {
    app: "shop",
    process: "web",
    name: "yk-shop-web-v2-c",
    unitId: "c2",
    releaseId: 9,
    address: "172.18.0.9",
    port: 5000,
    weight: 20,
    state: "ready" as const,
  };
  const running: SeenUnit = { id: "c2", state: "running", endpoint: { address: "172.18.0.9", port: 5000 } };
  assert.deepEqual(routeFixes([server], [running]), { unroute: [], readdress: [] });
  assert.deepEqual(routeFixes([server], [{ ...running, state: "exited" }]).unroute, [server]);
  assert.deepEqual(routeFixes([server], [{ ...running, endpoint: { address: "172.18.0.4", port: 5000 } }]).readdress, [
    { server, address: "172.18.0.4", port: 5000 },
  ]);
});

test("before the router starts, routes follow the units the engine runs now: moved ones re-addressed, gone ones removed", async () => {
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
      unitId: `${name}-id`,
      releaseId: r.id,
      address: name === "shop" ? "172.18.0.2" : "172.18.0.3",
      port: 5000,
      weight: 100,
      state: "ready",
    });
  }
  // After dockerd restarted: shop's container came back at blog's old address; blog's is gone.
  const observed: SeenUnit[] = [{ id: "shop-id", state: "running", endpoint: { address: "172.18.0.3", port: 5000 } }];
  const ctx = { store, units: { list: async () => observed } } as unknown as EngineContext;
  assert.deepEqual(await settleRoutes(ctx), { unrouted: 1, readdressed: 1 });
  assert.deepEqual(
    store.routedServers().map((s) => [s.app, s.address]),
    [["shop", "172.18.0.3"]],
  );
});
