import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, docker, uniqueApp } from "../helpers/yadokari.js";
import { getVia } from "../helpers/http.js";
import { keepAliveLoad } from "../helpers/load.js";
import { ykFor } from "../helpers/git.js";

let s: TestServer;
const stg = uniqueApp("it-stg");
const prod = uniqueApp("it-prod");
const CLI = join(ROOT, "dist/src/main/cli.js");
const yk = (...args: string[]) => ykFor(s, CLI)(...args);
const live = async (app: string) => ((await s.api("GET", `/apps/${app}/releases`)).body as any[]).find((r) => r.live);
const imageId = async (ref: string) => (await docker.getImage(ref).inspect()).Id;

before(async () => {
  s = await TestServer.start();
  await s.createApp(stg);
  await s.createApp(prod);
  assert.equal((await s.api("PATCH", `/apps/${stg}/config`, { set: { WHO: "staging" }, restart: false })).status, 200);
  assert.equal(
    (await s.api("PATCH", `/apps/${prod}/config`, { set: { WHO: "production" }, restart: false })).status,
    200,
  );
  assert.equal((await s.deploy(stg, join(FIXTURES, "env"))).status, "succeeded");
  // Production runs something else before the promotion, with two web containers.
  assert.equal((await s.api("PATCH", `/apps/${prod}`, { webReplicas: 2 })).status, 200);
  assert.equal((await s.deploy(prod, join(FIXTURES, "good"))).status, "succeeded");
});
after(async () => {
  await s?.close();
  // The promoted tag carries the source's labels: if a test failed before the apps were destroyed, remove it by name.
  for (const img of await docker.listImages({ filters: { reference: [`yadokari/${prod}`] } }))
    await docker
      .getImage(img.Id)
      .remove({ force: true })
      .catch(() => {});
});

test("releases:promote deploys the source's exact image with the target's config, under keep-alive load with 0 failed requests", async () => {
  const src = await live(stg);
  const host = `${prod}.${s.domain}`;
  assert.equal((await getVia(s.httpPort, host)).body.trim(), "ok v1");
  const load = keepAliveLoad({ port: s.httpPort, host, connections: 8, maxRequests: 1_000_000, maxMs: 120_000 });
  await new Promise((r) => setTimeout(r, 500));
  const p = await yk("releases:promote", "-a", stg, "--to", prod);
  await new Promise((r) => setTimeout(r, 500));
  const result = await load.stop();
  console.log(
    `# promotion under keep-alive load (8 connections): ${result.sent} requests, ${result.ok} ok, ${result.failed} failed; bodies: ${JSON.stringify(Object.fromEntries(result.bodies))}`,
  );
  assert.equal(p.code, 0, p.stderr + p.stdout);
  assert.match(p.stdout, new RegExp(`Promoted: ${prod} v2 runs yadokari/${prod}:promoted-${stg}-v1`));
  assert.equal(result.failed, 0, result.failures.join("; "));
  assert.ok(result.sent > 200, `only ${result.sent} requests`);
  assert.ok(
    result.bodies.get("ok v1")! > 0 && result.bodies.get("ok v2")! > 0,
    "served the old release, then the new one",
  );

  const v2 = await live(prod);
  assert.equal(v2.version, 2);
  assert.equal(v2.image, `yadokari/${prod}:promoted-${stg}-v1`);
  assert.equal(await imageId(v2.image), await imageId(src.image), "the same image id: no rebuild");
  assert.match(v2.description, new RegExp(`Promote ${stg} v1`));
  const deploys = (await s.api("GET", `/apps/${prod}/deploys`)).body as any[];
  assert.equal(deploys[0].source, "promote");
  assert.ok(!deploys[0].steps.some((st: any) => st.name === "build"), "no build step");
  assert.equal((await getVia(s.httpPort, host, "/env/WHO")).body, "production", "the target's own config");
  assert.equal((await getVia(s.httpPort, `${stg}.${s.domain}`, "/env/WHO")).body, "staging");
});

test("promotion into an app that was never deployed is its first release, with its own config", async () => {
  const fresh = uniqueApp("it-fresh");
  await s.createApp(fresh);
  try {
    assert.equal(
      (await s.api("PATCH", `/apps/${fresh}/config`, { set: { WHO: "fresh" }, restart: false })).status,
      200,
    );
    const p = await yk("releases:promote", "-a", stg, "--to", fresh);
    assert.equal(p.code, 0, p.stderr + p.stdout);
    const v1 = await live(fresh);
    assert.equal(v1.version, 1);
    assert.equal(await imageId(v1.image), await imageId((await live(stg)).image), "the same image id: no rebuild");
    assert.equal((await getVia(s.httpPort, `${fresh}.${s.domain}`, "/env/WHO")).body, "fresh");
    const f = (await s.api("GET", `/apps/${fresh}/formation`)).body as {
      processes: { type: string; quantity: number }[];
    };
    assert.deepEqual(
      f.processes.map((x) => [x.type, x.quantity]),
      [["web", 1]],
    );
  } finally {
    // The source still runs the same image: the target's destroy removes only its own tag.
    const del = await s.api("DELETE", `/apps/${fresh}`);
    assert.equal(
      del.status,
      200,
      `${JSON.stringify(del.body)}\n${readFileSync(join(s.dataDir, "server.log"), "utf8").slice(-2000)}`,
    );
  }
  assert.deepEqual(
    await docker.listImages({ filters: { reference: [`yadokari/${fresh}`] } }),
    [],
    "no tag is left under the target's name",
  );
  assert.ok(await imageId((await live(stg)).image), "the source's image is still there");
});

test("promotion is refused clearly when the source image is gone, and for apps that cannot take it", async () => {
  const src = await live(stg);
  const before = await live(prod);
  // Remove the staging tag (the promoted tag keeps the layers production runs).
  await docker.getImage(src.image).remove();
  const p = await yk("releases:promote", "-a", stg, "--to", prod);
  assert.equal(p.code, 1);
  assert.match(
    p.stderr,
    new RegExp(`Error: the image of ${stg} v1 \\(${src.image.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\) was removed`),
  );
  assert.match(p.stderr, /Hint: Deploy .* again, then promote/);
  assert.equal((await live(prod)).version, before.version, "nothing changed on the target");
  const self = await s.api("POST", `/apps/${stg}/promote`, { to: stg });
  assert.equal(self.status, 400);
  const missing = await s.api("POST", `/apps/${stg}/promote`, { to: "no-such-app" });
  assert.equal(missing.status, 404);
});

test("destroying the source keeps the promoted image the target runs; destroying the target removes it", async () => {
  const target = await live(prod);
  const del = await s.api("DELETE", `/apps/${stg}`);
  assert.equal(del.status, 200, JSON.stringify(del.body));
  assert.equal((await getVia(s.httpPort, `${prod}.${s.domain}`)).body.trim(), "ok v2");
  assert.ok(await imageId(target.image), "the promoted image is still there");
  const delProd = await s.api("DELETE", `/apps/${prod}`);
  assert.equal(delProd.status, 200, JSON.stringify(delProd.body));
  assert.deepEqual(
    await docker.listImages({ filters: { reference: [`yadokari/${prod}`] } }),
    [],
    "no image is left under the target's name",
  );
});
