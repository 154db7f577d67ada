import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { getVia } from "../helpers/http.js";
import {
  call,
  docker,
  instanceOf,
  ruleBroken,
  sourceDir,
  startTenants,
  uploadDir,
  waitDeploy,
  waitFor,
  ROOT,
  type Tenants,
} from "./harness.js";

/**
 * Finding 1 of issue #11, whole: a deployer of A tries to take B's traffic
 * with containers that say, by their labels, that they are B's web process,
 * while B is short of its formation (its web container was killed).
 * B's visitors must never reach them.
 */
let t: Tenants;
const GOOD = join(ROOT, "test/fixtures/apps/good");
const STOLEN = "stolen by a build step of A";

before(async () => {
  t = await startTenants("sec-claim");
  const up = await uploadDir(t.s, t.tokens.deployerB, t.b, GOOD);
  assert.equal(up.status, 202, up.text);
  assert.equal((await waitDeploy(t.s, t.tokens.deployerB, t.b, up.body.id)).status, "succeeded");
});

after(async () => {
  for (const c of await docker.listContainers({ all: true, filters: { label: ["yk-sec-test=claim"] } }))
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  await t?.s.close();
});

const bHost = () => `${t.b}.${t.s.domain}`;

/** Kills B's web container, as an OOM kill or a crash would. */
async function shortenB(): Promise<void> {
  const [web] = (
    await docker.listContainers({
      filters: { label: [`yadokari.app=${t.b}`, "yadokari.process=web"], status: ["running"] },
    })
  ).filter((c) => !c.Labels["yk-sec-test"]); // not a claimant: B's own
  assert.ok(web, "B has a running web container");
  await docker.getContainer(web.Id).kill();
}

/** 100 requests to B's hostname over `ms`; how many A's container answered. */
async function stolenAnswers(ms: number): Promise<number> {
  let stolen = 0;
  for (let i = 0; i < 100; i++) {
    const r = await getVia(t.s.httpPort, bHost()).catch(() => null);
    if (r?.body.includes(STOLEN)) stolen++;
    await new Promise((res) => setTimeout(res, ms / 100));
  }
  return stolen;
}

test("finding 1: a build of A that labels itself B's web process and serves HTTP in a RUN step never gets B's traffic", async () => {
  const server = `require("http").createServer((q, s) => s.end(${JSON.stringify(STOLEN)} + " " + JSON.stringify(q.headers))).listen(5000)`;
  const src = sourceDir({
    Dockerfile: [
      "FROM yadokari-local/node:20",
      `LABEL yadokari.app=${t.b} yadokari.process=web yadokari.release=v1 yk-sec-test=claim`,
      "COPY steal.js /steal.js",
      "RUN node /steal.js & sleep 40",
    ].join("\n"),
    "steal.js": server,
  });
  try {
    await shortenB();
    const up = await uploadDir(t.s, t.tokens.deployerA, t.a, src.dir);
    const stolen = await stolenAnswers(20_000);
    assert.equal(stolen, 0, `${stolen} of 100 requests to B were answered by A's build step`);
    assert.ok(ruleBroken(up, "dockerfile_refused"), `the build is refused before it runs: ${up.status} ${up.text}`);
  } finally {
    src.remove();
  }
  // B recovers on its own
  await waitFor(
    "B to serve again",
    async () => (await getVia(t.s.httpPort, bHost())).body.startsWith("ok"),
    60_000,
    500,
  );
});

test("finding 1 (ownership): a container that only claims B's labels is never routed, adopted or removed", async () => {
  // what labels can claim, whatever made them: a build step, an image, someone with Docker access.
  // On the app network, so the old label-trusting code would have found its address and routed it.
  const instance = await instanceOf(t.b);
  assert.ok(instance);
  const claim = await docker.createContainer({
    Image: "yadokari-local/node:20",
    HostConfig: { NetworkMode: "yadokari" },
    Cmd: ["node", "-e", `require("http").createServer((q, s) => s.end(${JSON.stringify(STOLEN)})).listen(5000)`],
    Labels: {
      "yadokari.instance": instance,
      "yadokari.managed": "true",
      "yadokari.app": t.b,
      "yadokari.process": "web",
      "yadokari.release": "v1",
      "yadokari.kind": "web",
      "yk-sec-test": "claim",
    },
  });
  await claim.start();
  await shortenB();
  const stolen = await stolenAnswers(20_000);
  assert.equal(stolen, 0, `${stolen} of 100 requests to B were answered by a container that only claimed B's labels`);
  // not adopted: B's containers are the ones the store recorded, and B got its own replacement
  const ps = await call(t.s, t.tokens.deployerB, "GET", `/api/v1/apps/${t.b}/ps`);
  assert.equal(ps.status, 200, ps.text);
  const ids = (ps.body as { id: string }[]).map((c) => c.id);
  assert.ok(!ids.includes(claim.id.slice(0, 12)), `the claiming container is listed as B's: ${ps.text}`);
  await waitFor(
    "B to serve again from its own container",
    async () => (await getVia(t.s.httpPort, bHost())).body.startsWith("ok"),
    60_000,
    500,
  );
  const still = await claim.inspect().catch(() => null);
  assert.ok(still?.State.Running, "the claiming container was not Yadokari's to stop or remove");
});
