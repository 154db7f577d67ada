import { test } from "node:test";
import assert from "node:assert/strict";
import { routeFixes, settleRoutes, type SeenUnit } from "./boot-routes.js";
import { harness } from "../engine/testing/harness.js";
import { syncRouter } from "../engine/router-sync.js";

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

test("before the router starts, routes follow the units the engine runs now: moved ones re-addressed, gone ones removed, through the executor", async () => {
  const h = harness();
  await h.firstRelease("shop", { web: 1 });
  await h.firstRelease("blog", { web: 1 });
  await h.settle();
  const [shop] = h.engine.running("shop");
  const [blog] = h.engine.running("blog");
  // After dockerd restarted: shop's unit came back at blog's old address; blog's is gone.
  const blogAddress = blog.address!;
  h.engine.exit(blog.id, 137);
  shop.address = blogAddress;
  const applied = h.router.applied.length;
  assert.deepEqual(await settleRoutes(h.ctx), { unrouted: 1, readdressed: 1 });
  assert.equal(h.router.applied.length, applied, "no router change app by app: the server syncs it once");
  await syncRouter(h.ctx);
  assert.deepEqual(
    h.store.routedServers().map((s) => [s.app, s.address]),
    [["shop", blogAddress]],
  );
  assert.deepEqual(
    h.router.servers("shop").map((s) => s.address),
    [blogAddress],
  );
  assert.deepEqual(h.router.servers("blog"), []);
});
