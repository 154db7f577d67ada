import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { TestServer, ROOT } from "../helpers/yadokari.js";
import { waitFor } from "../helpers/http.js";
import { PrivateDocker } from "../helpers/private-docker.js";
import { tinyAppSource } from "../helpers/tiny-app.js";
import { run } from "../../src/lib/run.js";

/**
 * Cold start, as after a reboot, against a dockerd of our own in a network
 * namespace (the host's dockerd is shared and never restarted): the server
 * and HAProxy run inside the namespace, traffic goes to its address. Stop the
 * server, kill HAProxy, restart dockerd (every container stops), start the
 * server: every app answers again, at its live release, within a bound.
 */
const APPS = 4;
const BOUND_MS = 90_000;
const CLI = join(ROOT, "dist/src/main/cli.js");
let pd: PrivateDocker;
let s: TestServer | null = null;
const sources: string[] = [];
const names = Array.from({ length: APPS }, (_, i) => `cold${i}`);

function get(host: string, port: number, hostHeader: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host, port, path: "/", headers: { host: hostHeader }, agent: false, timeout: 3000 },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}
const serving = async (srv: TestServer) => {
  const bodies = await Promise.all(
    names.map((a) => get(srv.host, srv.httpPort, `${a}.${srv.domain}`).catch(() => null)),
  );
  return bodies.every((r, i) => r?.status === 200 && r.body.trim() === `${names[i]} v1`);
};
const startServer = () =>
  TestServer.start({
    https: false,
    env: { YADOKARI_DOCKER_SOCKET: pd.socketPath },
    netns: { host: pd.address, prefix: pd.prefix, apiPort: 7700, httpPort: 8080 },
    dataDir: s?.dataDir,
  });

before(async () => {
  pd = await PrivateDocker.create(["yadokari-local/busybox:1"]);
  s = await startServer();
  sources.push(tinyAppSource(), tinyAppSource({ worker: true }));
  for (const [i, app] of names.entries()) {
    await s.createApp(app);
    const d = await s.deploy(app, sources[i === 0 ? 1 : 0]);
    assert.equal(d.status, "succeeded", JSON.stringify(d));
  }
  await waitFor("every app to serve", async () => serving(s!), 30000, 200);
});
after(async () => {
  if (s) {
    await s.stop();
    const pid = s.routerPid();
    if (pid) process.kill(pid, "SIGKILL");
    rmSync(s.dataDir, { recursive: true, force: true });
  }
  await pd?.destroy();
  for (const d of sources) rmSync(d, { recursive: true, force: true });
});

async function coldStart(what: string, between: () => Promise<void>): Promise<number> {
  await s!.stop();
  process.kill(s!.routerPid()!, "SIGKILL");
  await between();
  // From before the server starts: no request may get another app's answer (addresses move when dockerd restarts).
  const host = s!.host;
  const port = s!.httpPort;
  const domain = s!.domain;
  let polling = true;
  const misrouted: string[] = [];
  const poller = (async () => {
    while (polling) {
      for (const a of names) {
        const r = await get(host, port, `${a}.${domain}`).catch(() => null);
        if (r?.status === 200 && r.body.trim() !== `${a} v1`) misrouted.push(`${a} answered "${r.body.trim()}"`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const t0 = Date.now();
  s = await startServer();
  await waitFor(`every app to serve after ${what}`, async () => serving(s!), BOUND_MS, 100);
  const ms = Date.now() - t0;
  polling = false;
  await poller;
  assert.deepEqual(misrouted, [], "no request reached another app's container");
  // the clock stops once workers run too (they start after every app's web)
  const status = await waitFor(
    "the cold-start clock",
    async () => {
      const b = (await s!.api("GET", "/status")).body;
      return b.coldStart.durationMs !== null ? b : null;
    },
    BOUND_MS,
  );
  console.log(
    `# cold start (${what}): ${APPS} apps serving ${ms} ms after the server was started; the server's own clock: ${status.coldStart.durationMs} ms`,
  );
  assert.equal(status.apps.serving, APPS);
  assert.ok(status.coldStart.durationMs > 0);
  assert.match(
    readFileSync(s.logPath, "utf8"),
    new RegExp(`cold start: ${APPS} apps serving [\\d.]+ s after the server started`),
  );
  return ms;
}

test("dockerd restarted (every container stopped): Docker brings the containers back, the server re-addresses and routes them", async () => {
  await coldStart("dockerd restarted", async () => {
    const { stopMs, startMs } = await pd.restart();
    console.log(`# private dockerd stopped in ${stopMs} ms, started in ${startMs} ms`);
    const check = await run(process.execPath, [CLI, "router:check", "--data-dir", s!.dataDir], {
      env: { ...process.env, YADOKARI_DOCKER_SOCKET: pd.socketPath },
    });
    console.log(
      `# router:check after the restart: exit ${check.code} ${(check.stdout + check.stderr).trim().split("\n")[0]}`,
    );
  });
  await waitFor(
    "the worker to run again",
    async () => (await pd.docker.listContainers({ filters: { label: ["yadokari.process=worker"] } })).length === 1,
    30000,
  );
});

test("containers lost too (a new Docker data root): the server starts every app's containers, web first", async () => {
  await coldStart("containers removed", async () => {
    for (const c of await pd.docker.listContainers({ all: true }))
      await pd.docker.getContainer(c.Id).remove({ force: true });
    await pd.restart();
  });
  const log = readFileSync(s!.logPath, "utf8");
  assert.match(log, /reconcile: .*start cold\d\/web×1/);
  const worker = await waitFor(
    "the worker",
    async () => (await pd.docker.listContainers({ filters: { label: ["yadokari.process=worker"] } })).length === 1,
    30000,
  );
  assert.ok(worker);
});
