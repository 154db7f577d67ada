import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync } from "node:fs";
import { createGzip } from "node:zlib";
import { join } from "node:path";
import tarStream from "tar-stream";
import {
  call,
  deployLog,
  docker,
  instanceOf,
  refusal,
  ruleBroken,
  sourceDir,
  startTenants,
  uploadBytes,
  uploadDir,
  waitDeploy,
  waitFor,
  ROOT,
  type Tenants,
} from "./harness.js";

/**
 * Findings 1 (build side), 6, 9 and 10 of issue #11: what a deployer of A can
 * make the builder do. Every refusal must come before anything reaches
 * Docker: a 4xx to the upload, no deploy recorded, no image.
 */
let t: Tenants;
let bImage = "";
const GOOD = join(ROOT, "test/fixtures/apps/good");
const FROM = "FROM yadokari-local/busybox:1";

before(async () => {
  t = await startTenants("sec-build", {
    YADOKARI_BUILD_TIMEOUT: "8",
    YADOKARI_BUILD_MAX_CONTEXT_BYTES: String(32 * 1024 * 1024),
    YADOKARI_BUILD_MAX_ENTRIES: "500",
  });
  // B is deployed by its own deployer: its image is what A is after
  const up = await uploadDir(t.s, t.tokens.deployerB, t.b, GOOD);
  assert.equal(up.status, 202, up.text);
  const d = await waitDeploy(t.s, t.tokens.deployerB, t.b, up.body.id);
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  bImage = (await call(t.s, t.tokens.deployerB, "GET", `/api/v1/apps/${t.b}/releases`)).body[0].image;
  assert.match(bImage, new RegExp(`^yadokari/${t.b}:`));
});

after(async () => {
  for (const c of await docker.listContainers({ all: true, filters: { label: ["yk-sec-test=child"] } }))
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  // the child image, and the layers a cancelled build leaves in the cache
  for (const i of await docker.listImages({ all: true, filters: { label: ["yk-sec-test"] } }))
    await docker
      .getImage(i.Id)
      .remove({ force: true })
      .catch(() => {});
  await t?.s.close();
});

const deploysOf = async (app: string) =>
  (await call(t.s, t.s.token, "GET", `/api/v1/apps/${app}/deploys`)).body.length as number;
const imagesOf = async (app: string) =>
  (await docker.listImages({ filters: { reference: [`yadokari/${app}`] } })).length;

/** Uploads a Dockerfile as A's deployer and expects a refusal naming `pattern`, with nothing recorded or built. */
async function refusedDockerfile(dockerfile: string, pattern: RegExp, extra: Record<string, string> = {}) {
  const deploys = await deploysOf(t.a);
  const images = await imagesOf(t.a);
  const src = sourceDir({ Dockerfile: dockerfile, ...extra });
  try {
    const r = await uploadDir(t.s, t.tokens.deployerA, t.a, src.dir);
    const why = ruleBroken(r, "dockerfile_refused");
    assert.ok(why, `refused with a 422 and a message: ${JSON.stringify(dockerfile)} → ${r.status} ${r.text}`);
    assert.match(why.message, pattern, dockerfile);
  } finally {
    src.remove();
  }
  assert.equal(await deploysOf(t.a), deploys, "no deploy was recorded");
  assert.equal(await imagesOf(t.a), images, "no image was built");
}

test("finding 1: a Dockerfile LABEL that claims yadokari.* keys is refused before the build, in every spelling", async () => {
  const claims = [
    `LABEL yadokari.app=${"B"} yadokari.process=web yadokari.release=v1`,
    "LABEL yadokari.process web",
    'LABEL "yadokari.process"="web"',
    "LABEL Yadokari.Process=web",
    "LABEL other=1 \\\n  yadokari.release=v1",
    "ARG K=yadokari.process\nLABEL $K=web",
  ];
  for (const claim of claims) await refusedDockerfile(`${FROM}\n${claim}\nRUN true\n`, /yadokari|label/i);
  // a trigger would run in a later build: refused whatever it is
  await refusedDockerfile(`${FROM}\nONBUILD LABEL yadokari.process=web\n`, /ONBUILD/);
  // the escape directive changes the continuation character, not the rule
  await refusedDockerfile("# escape=`\n" + `${FROM}\nLABEL a=1 \`\n yadokari.process=web\n`, /yadokari/i);
});

test("finding 1: a build log never shows the server's instance id; the image is still labelled as the app's", async () => {
  const up = await uploadDir(t.s, t.tokens.deployerA, t.a, GOOD);
  assert.equal(up.status, 202, up.text);
  const d = await waitDeploy(t.s, t.tokens.deployerA, t.a, up.body.id);
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  const instance = await instanceOf(t.a);
  assert.ok(instance, "the app's container carries the instance id");
  const log = await deployLog(t.s, t.tokens.deployerA, t.a, up.body.id);
  assert.ok(log.includes("Building"), log);
  assert.ok(!log.includes(instance), `the instance id ${instance} is not in the build log:\n${log}`);
  assert.ok(!/yadokari\.instance/.test(log), log);
  const image = (await call(t.s, t.tokens.deployerA, "GET", `/api/v1/apps/${t.a}/releases`)).body[0].image;
  const labels = (await docker.getImage(image).inspect()).Config.Labels ?? {};
  assert.equal(labels["yadokari.app"], t.a);
  assert.equal(labels["yadokari.instance"], instance);
  assert.equal(labels["yadokari.process"], undefined);
});

test("finding 1: a build that runs past the server's time limit (YADOKARI_BUILD_TIMEOUT) fails clearly and leaves no build container", async () => {
  const src = sourceDir({ Dockerfile: `${FROM}\nLABEL yk-sec-test=slow-build\nRUN echo started && sleep 120\n` });
  try {
    const up = await uploadDir(t.s, t.tokens.deployerA, t.a, src.dir);
    assert.equal(up.status, 202, up.text);
    const started = Date.now();
    const d = await waitDeploy(t.s, t.tokens.deployerA, t.a, up.body.id, 60_000);
    assert.equal(d.status, "failed");
    assert.match(d.reason, /time limit of 8 s/, d.reason);
    assert.ok(Date.now() - started < 40_000, "stopped at the limit, not at the end of the sleep");
    // dockerd cancels the build when the request closes, and removes its container a moment later
    await waitFor(
      "the build's container to be stopped and removed",
      async () =>
        (await docker.listContainers({ all: true, filters: { label: ["yk-sec-test=slow-build"] } })).length === 0,
      15_000,
      250,
    );
  } finally {
    src.remove();
  }
});

test("finding 9: ADD of a URL is refused before the build, and the host's loopback gets no request", async () => {
  let hits = 0;
  const host = http.createServer((_q, res) => {
    hits++;
    res.end("host secret\n");
  });
  await new Promise<void>((r) => host.listen(0, "127.0.0.1", r));
  const port = (host.address() as { port: number }).port;
  try {
    const url = `http://127.0.0.1:${port}/secret`;
    for (const add of [
      `ADD ${url} /x`,
      `ADD ["${url}", "/x"]`,
      `ADD --chown=1:1 ${url} /x`,
      `ADD https://localhost:${port}/ /x`,
      `ARG U=${url}\nADD $U /x`,
    ])
      await refusedDockerfile(`${FROM}\n${add}\nRUN cat /x\n`, /ADD|URL|variable/i);
    assert.equal(hits, 0, "dockerd never fetched from the host's loopback");
  } finally {
    host.close();
  }
});

test("finding 10: FROM or COPY --from another app's image is refused; the app's own images and the approved bases are not", async () => {
  for (const df of [
    `FROM ${bImage}\nRUN true`,
    `FROM ${bImage.toUpperCase().replace("YADOKARI", "yadokari")}`,
    `ARG BASE=${bImage}\nFROM $BASE`,
    `FROM --platform=linux/amd64 ${bImage} AS stolen\n${FROM}\nCOPY --from=stolen / /b`,
    `${FROM}\nCOPY --from=${bImage} /app /b`,
    `FROM ${bImage.split(":")[0]}`,
    `FROM docker.io/${bImage}`,
    `FROM ${(await docker.getImage(bImage).inspect()).Id.slice(7, 19)}`,
  ])
    await refusedDockerfile(df + "\n", /FROM|--from|image|base/i);
  // its own images, multi-stage names and the approved bases build
  const own = (await call(t.s, t.tokens.deployerA, "GET", `/api/v1/apps/${t.a}/releases`)).body[0].image;
  const src = sourceDir({
    Dockerfile: `ARG V=1\nFROM yadokari-local/busybox:$V AS tools\nFROM ${own}\nCOPY --from=tools /bin/busybox /tools/busybox\nCOPY --from=0 /bin/busybox /tools/busybox0\n`,
  });
  try {
    const up = await uploadDir(t.s, t.tokens.deployerA, t.a, src.dir);
    assert.equal(up.status, 202, up.text);
    const d = await waitDeploy(t.s, t.tokens.deployerA, t.a, up.body.id);
    assert.equal(d.status, "succeeded", JSON.stringify(d));
  } finally {
    src.remove();
  }
});

test("finding 10: destroying an app finishes, and removes its records and tags, when another image was built on its image", async () => {
  // a child image of B's, such as the attack above used to leave (made here directly, labelled for cleanup)
  const pack = tarStream.pack();
  pack.entry({ name: "Dockerfile" }, `FROM ${bImage}\nLABEL yk-sec-test=child\nRUN echo child > /child\n`);
  pack.finalize();
  const stream = await docker.buildImage(pack as unknown as NodeJS.ReadableStream, { rm: true, forcerm: true });
  let childId = "";
  await new Promise((res, rej) =>
    docker.modem.followProgress(
      stream,
      (e) => (e ? rej(e) : res(null)),
      (ev: { aux?: { ID?: string } }) => void (ev.aux?.ID && (childId = ev.aux.ID)),
    ),
  );
  // and something running it that is not B's (it would inherit B's labels from the image: say otherwise)
  const running = await docker.createContainer({
    Image: childId,
    Cmd: ["sleep", "300"],
    Labels: { "yk-sec-test": "child", "yadokari.instance": "someone-else", "yadokari.app": "someone-else" },
  });
  await running.start();
  const destroyed = await call(t.s, t.s.token, "DELETE", `/api/v1/apps/${t.b}`);
  assert.equal(destroyed.status, 200, destroyed.text);
  assert.equal((await call(t.s, t.s.token, "GET", `/api/v1/apps/${t.b}`)).status, 404);
  assert.equal(await imagesOf(t.b), 0, "B's tags are gone (the child keeps its layers)");
  assert.equal((await running.inspect()).State.Running, true, "the other container was left alone");
  t.s.apps.delete(t.b);
});

/** A tar (gzip when `gz`) built entry by entry, for archives `yk deploy` would never make. */
async function tarOf(entries: { header: tarStream.Headers; body?: string | Buffer }[], gz = true): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const e of entries) pack.entry(e.header, e.body ?? "");
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of gz ? pack.pipe(createGzip()) : pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test("finding 6: an upload is checked as it expands: size, entry count, absolute paths, '..' and links out of the context", async () => {
  const dockerfile = { header: { name: "Dockerfile" }, body: `${FROM}\nCOPY . /app\n` };
  const deploys = await deploysOf(t.a);
  // [what, archive, message, code]: a limit passed is 413 payload_too_large, a rule broken 422 invalid_context
  const cases: [string, Buffer, RegExp, string?][] = [];
  // 40 MiB of zeros in a ~40 KB gzip, over the 32 MiB limit set on this server
  const zeros = Buffer.alloc(40 * 1024 * 1024);
  cases.push([
    "expanded size",
    await tarOf([dockerfile, { header: { name: "zeros", size: zeros.length }, body: zeros }]),
    /expand|32 MiB/i,
    "payload_too_large",
  ]);
  cases.push([
    "entry count",
    await tarOf([dockerfile, ...Array.from({ length: 600 }, (_, i) => ({ header: { name: `f/${i}` }, body: "x" }))]),
    /entries|500/i,
    "payload_too_large",
  ]);
  cases.push([
    "absolute path",
    await tarOf([dockerfile, { header: { name: "/etc/cron.d/x" }, body: "x" }]),
    /absolute/i,
  ]);
  cases.push(["'..'", await tarOf([dockerfile, { header: { name: "a/../../x" }, body: "x" }]), /\.\./]);
  cases.push([
    "symlink out",
    await tarOf([dockerfile, { header: { name: "l", type: "symlink", linkname: "../../../etc/shadow" } }]),
    /link/i,
  ]);
  cases.push([
    "absolute symlink",
    await tarOf([dockerfile, { header: { name: "l", type: "symlink", linkname: "/etc/shadow" } }]),
    /link/i,
  ]);
  cases.push([
    "hard link out",
    await tarOf([dockerfile, { header: { name: "h", type: "link", linkname: "../outside" } }]),
    /link/i,
  ]);
  cases.push([
    "device node",
    await tarOf([dockerfile, { header: { name: "sda", type: "block-device", devmajor: 8, devminor: 0 } }]),
    /type|device/i,
  ]);
  cases.push([
    "duplicate Dockerfile",
    await tarOf([dockerfile, { header: { name: "./Dockerfile" }, body: `FROM ${bImage}\n` }]),
    /twice|duplicate/i,
  ]);
  for (const [what, bytes, pattern, code = "invalid_context"] of cases) {
    const r = await uploadBytes(t.s, t.tokens.deployerA, t.a, bytes);
    const why = refusal(r);
    assert.ok(why, `${what}: refused with a 4xx and a message (${r.status} ${r.text.slice(0, 200)})`);
    assert.equal(why.code, code, what);
    assert.equal(r.status, code === "payload_too_large" ? 413 : 422, what);
    assert.match(why.message, pattern, what);
  }
  assert.equal(await deploysOf(t.a), deploys, "no deploy was recorded");
  // a plain tar works too, and one with links that stay inside the context builds and deploys
  const ok = await uploadBytes(
    t.s,
    t.tokens.deployerA,
    t.a,
    await tarOf(
      [
        {
          header: { name: "Dockerfile" },
          body: 'FROM yadokari-local/node:20\nCOPY . /app\nCMD ["node", "/app/srv/server.js"]\n',
        },
        { header: { name: "server.js" }, body: readFileSync(join(GOOD, "server.js")) },
        { header: { name: "srv", type: "directory" } },
        { header: { name: "srv/server.js", type: "symlink", linkname: "../server.js" } },
        { header: { name: "srv/copy.js", type: "link", linkname: "server.js" } },
      ],
      false,
    ),
  );
  assert.equal(ok.status, 202, ok.text);
  const d = await waitDeploy(t.s, t.tokens.deployerA, t.a, ok.body.id);
  assert.equal(d.status, "succeeded", JSON.stringify(d));
});
