import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HaproxyRouter } from "../../src/router/haproxy-router.js";
import { AppError } from "../../src/errors/app-error.js";
import { routerPaths } from "../../src/router/paths.js";
import { isAlive } from "../../src/router/proc.js";
import { RuntimeClient } from "../../src/router/runtime-client.js";
import { HaproxySupervisor } from "../../src/router/supervisor.js";
import type { DesiredRouter, DesiredServer } from "../../src/router/types.js";
import { freePort } from "../helpers/ports.js";

/*
 * The router against a real HAProxy on 127.0.0.1 high ports, with small Node
 * HTTP servers as apps (each answers with its name). Every test starts its
 * own HAProxy in a temporary directory and stops it by pid at the end.
 */

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until(probe: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

interface App {
  name: string;
  port: number;
  hits: number;
  close(): Promise<void>;
}

/** An app: "/" answers its name, "/headers" the request headers, "/slow?ms=N" its name after N ms; WebSocket upgrades echo. */
async function startApp(t: TestContext, name: string): Promise<App> {
  const app = { name, port: 0, hits: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    app.hits++;
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/headers") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(req.headers));
    } else if (url.pathname === "/slow") {
      setTimeout(() => res.end(name), Math.min(Number(url.searchParams.get("ms") ?? 0), 10_000));
    } else res.end(name);
  });
  const tunnels = new Set<import("node:stream").Duplex>();
  server.on("upgrade", (req, socket) => {
    tunnels.add(socket);
    socket.on("close", () => tunnels.delete(socket));
    const accept = createHash("sha1")
      .update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.on("data", (d) => socket.write(d));
    socket.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  app.port = (server.address() as net.AddressInfo).port;
  app.close = () =>
    new Promise<void>((r) => {
      // Upgraded sockets are no longer the HTTP server's, but still hold its close().
      for (const s of tunnels) s.destroy();
      server.closeAllConnections();
      server.close(() => r());
    });
  t.after(() => app.close());
  return app;
}

const server = (app: App, state: DesiredServer["state"] = "ready", weight = 10): DesiredServer => ({
  name: app.name,
  address: "127.0.0.1",
  port: app.port,
  weight,
  state,
});

async function startRouter(
  t: TestContext,
  desired: DesiredRouter,
): Promise<{ router: HaproxyRouter; port: number; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "yk-router-"));
  const port = await freePort();
  const router = new HaproxyRouter({ dir, httpListen: `127.0.0.1:${port}` });
  t.after(async () => {
    await router.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  assert.equal(await router.ensureRunning(desired), "started");
  await router.apply(desired);
  return { router, port, dir };
}

interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function get(
  port: number,
  host: string,
  path = "/",
  opts: { agent?: http.Agent; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        agent: opts.agent ?? false,
        headers: { host, ...opts.headers },
        timeout: 15_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    req.end();
  });
}

interface LoadResult {
  ok: number;
  failed: number;
  errors: string[];
  byBody: Map<string, number>;
}

/** `connections` keep-alive clients in a loop, bounded by time and by request count. */
async function load(
  port: number,
  host: string,
  opts: { connections?: number; durationMs?: number; maxRequests?: number; stop?: () => boolean } = {},
): Promise<LoadResult> {
  const connections = opts.connections ?? 8;
  const deadline = Date.now() + (opts.durationMs ?? 3000);
  const maxRequests = opts.maxRequests ?? 50_000;
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const r: LoadResult = { ok: 0, failed: 0, errors: [], byBody: new Map() };
  let issued = 0;
  const loop = async () => {
    while (Date.now() < deadline && issued < maxRequests && !(opts.stop?.() ?? false)) {
      issued++;
      try {
        const res = await get(port, host, "/", { agent });
        if (res.status === 200) {
          r.ok++;
          r.byBody.set(res.body, (r.byBody.get(res.body) ?? 0) + 1);
        } else {
          r.failed++;
          r.errors.push(`HTTP ${res.status}`);
        }
      } catch (e) {
        r.failed++;
        r.errors.push((e as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  agent.destroy();
  return r;
}

test("an unknown host gets the router's own 404 and never reaches an app", async (t) => {
  const a = await startApp(t, "A");
  const { port } = await startRouter(t, {
    hosts: { "a.test": "app_a" },
    backends: [{ name: "app_a", servers: [server(a)] }],
  });
  for (const host of ["unknown.test", "a.test.evil.example", "127.0.0.1"]) {
    const res = await get(port, host);
    assert.equal(res.status, 404, host);
    assert.match(res.body, /No app is configured for this host name/);
    assert.match(String(res.headers["x-request-id"]), /^[0-9a-f-]{36}$/);
  }
  assert.equal(a.hits, 0);
});

test("routes by Host, ignoring case and port", async (t) => {
  const a = await startApp(t, "A");
  const b = await startApp(t, "B");
  const { port } = await startRouter(t, {
    hosts: { "a.test": "app_a", "b.test": "app_b" },
    backends: [
      { name: "app_a", servers: [server(a)] },
      { name: "app_b", servers: [server(b)] },
    ],
  });
  assert.equal((await get(port, "a.test")).body, "A");
  assert.equal((await get(port, "B.Test:8080")).body, "B");
  assert.equal((await get(port, "a.test")).body, "A");
});

test("X-Forwarded-*, X-Request-Id reach the app, and the access log is one JSON line per request", async (t) => {
  const a = await startApp(t, "A");
  const { port, router } = await startRouter(t, {
    hosts: { "a.test": "app_a" },
    backends: [{ name: "app_a", servers: [server(a)] }],
  });
  const res = await get(port, `a.test:${port}`, "/headers", {
    headers: { "x-forwarded-proto": "https", "x-forwarded-host": "spoofed.example" },
  });
  const seen = JSON.parse(res.body) as Record<string, string>;
  assert.equal(seen["x-forwarded-for"], "127.0.0.1");
  assert.equal(seen["x-forwarded-proto"], "http");
  assert.equal(seen["x-forwarded-host"], `a.test:${port}`);
  assert.match(seen["x-request-id"], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(res.headers["x-request-id"], seen["x-request-id"]);

  const passed = JSON.parse(
    (await get(port, "a.test", "/headers", { headers: { "x-request-id": "req-42.abc" } })).body,
  ) as Record<string, string>;
  assert.equal(passed["x-request-id"], "req-42.abc");
  const replaced = JSON.parse(
    (await get(port, "a.test", "/headers", { headers: { "x-request-id": "bad id <script>" } })).body,
  ) as Record<string, string>;
  assert.match(replaced["x-request-id"], /^[0-9a-f-]{36}$/);

  let line: Record<string, unknown> | undefined;
  await until(
    () => {
      const found = readFileSync(router.paths.log, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.request_id === "req-42.abc");
      line = found;
      return found !== undefined;
    },
    3000,
    "the access log line",
  );
  assert.equal(line?.backend, "app_a");
  assert.equal(line?.server, "A");
  assert.equal(line?.status, 200);
  assert.equal(line?.host, "a.test");
  assert.equal(line?.uri, "/headers");
  assert.equal(typeof line?.t_response, "number");
});

test("a WebSocket upgrade passes through and the tunnel carries data both ways", async (t) => {
  const a = await startApp(t, "A");
  const { port } = await startRouter(t, {
    hosts: { "a.test": "app_a" },
    backends: [{ name: "app_a", servers: [server(a)] }],
  });
  const sock = net.createConnection(port, "127.0.0.1");
  t.after(() => sock.destroy());
  let got = "";
  sock.on("data", (d) => (got += d.toString("latin1")));
  sock.write(
    "GET /chat HTTP/1.1\r\nHost: a.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  );
  await until(() => got.includes("\r\n\r\n"), 5000, "the 101 answer");
  assert.match(got, /^HTTP\/1\.1 101 /);
  assert.match(got, /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i);
  const mark = got.length;
  sock.write("hello through the tunnel");
  await until(() => got.slice(mark).includes("hello through the tunnel"), 5000, "the echo");
});

test("switching servers A → B under keep-alive load fails no request and does not reload", async (t) => {
  const a = await startApp(t, "A");
  const b = await startApp(t, "B");
  const hosts = { "a.test": "app_a" };
  const { port, router } = await startRouter(t, { hosts, backends: [{ name: "app_a", servers: [server(a)] }] });
  const before = await router.info();
  const masterPid = router.pid();

  const running = load(port, "a.test", { connections: 8, durationMs: 3000, maxRequests: 40_000 });
  await sleep(500);
  await router.apply({ hosts, backends: [{ name: "app_a", servers: [server(a, "drain"), server(b)] }] });
  await until(async () => (await router.serverSessions("app_a", "A")) === 0, 5000, "A to drain");
  await router.apply({ hosts, backends: [{ name: "app_a", servers: [server(b)] }] });
  const hitsOnRemoval = a.hits;
  const result = await running;

  assert.equal(result.failed, 0, `failed requests: ${result.errors.slice(0, 5).join(", ")}`);
  assert.ok((result.byBody.get("A") ?? 0) > 0, "A served before the switch");
  assert.ok((result.byBody.get("B") ?? 0) > 100, `B got traffic: ${result.byBody.get("B")}`);
  assert.equal(a.hits, hitsOnRemoval, "nothing reached A after its removal");
  const after = await router.info();
  assert.equal(router.pid(), masterPid);
  assert.equal(after.workerPid, before.workerPid, "same worker: no reload");
  assert.equal(after.fingerprint, before.fingerprint);
  assert.deepEqual(
    (await router.stats()).map((s) => `${s.backend}/${s.server}`),
    ["app_a/B"],
  );
  t.diagnostic(
    `switch under load: ${result.ok} ok, ${result.failed} failed, A=${result.byBody.get("A")} B=${result.byBody.get("B")}`,
  );
});

test("drain: a long request on A completes while new requests go to B", async (t) => {
  const a = await startApp(t, "A");
  const b = await startApp(t, "B");
  const hosts = { "a.test": "app_a" };
  const { port, router } = await startRouter(t, { hosts, backends: [{ name: "app_a", servers: [server(a)] }] });

  const slow = get(port, "a.test", "/slow?ms=1500");
  await until(async () => (await router.serverSessions("app_a", "A")) === 1, 3000, "the slow request to reach A");
  await router.apply({ hosts, backends: [{ name: "app_a", servers: [server(a, "drain"), server(b)] }] });
  for (let i = 0; i < 10; i++) assert.equal((await get(port, "a.test")).body, "B");
  assert.equal(await router.serverSessions("app_a", "A"), 1, "the slow request is still open on A");
  const done = await slow;
  assert.equal(done.status, 200);
  assert.equal(done.body, "A");
  await until(async () => (await router.serverSessions("app_a", "A")) === 0, 3000, "A to drain");
  // Drain is weight 0 (kept equal across restarts); HAProxy's status stays "no check".
  assert.equal((await router.stats()).find((s) => s.server === "A")?.weight, 0);
  assert.equal(await router.serverSessions("app_a", "nope"), 0);
});

test("adding a backend reloads HAProxy and keeps serving", async (t) => {
  const a = await startApp(t, "A");
  const c = await startApp(t, "C");
  const { port, router } = await startRouter(t, {
    hosts: { "a.test": "app_a" },
    backends: [{ name: "app_a", servers: [server(a)] }],
  });
  const before = await router.info();
  const masterPid = router.pid();

  const running = load(port, "a.test", { connections: 8, durationMs: 2500, maxRequests: 40_000 });
  await sleep(500);
  await router.apply({
    hosts: { "a.test": "app_a", "c.test": "app_c" },
    backends: [
      { name: "app_a", servers: [server(a)] },
      { name: "app_c", servers: [server(c)] },
    ],
  });
  const after = await router.info();
  assert.equal((await get(port, "c.test")).body, "C");
  const result = await running;

  assert.notEqual(after.workerPid, before.workerPid, "a new worker");
  assert.notEqual(after.fingerprint, before.fingerprint);
  assert.equal(router.pid(), masterPid, "same master");
  assert.ok(result.ok > 100);
  assert.equal(result.failed, 0, `failed requests: ${result.errors.slice(0, 5).join(", ")}`);
  t.diagnostic(`reload under load: ${result.ok} ok, ${result.failed} failed`);
});

test("a killed HAProxy is restarted by ensureRunning with the same routes", async (t) => {
  const a = await startApp(t, "A");
  const desired: DesiredRouter = { hosts: { "a.test": "app_a" }, backends: [{ name: "app_a", servers: [server(a)] }] };
  const { port, router } = await startRouter(t, desired);
  const oldMaster = router.pid()!;
  const oldWorker = (await router.info()).workerPid;
  process.kill(oldMaster, "SIGKILL");
  await until(() => !isAlive(oldMaster) && !isAlive(oldWorker), 5000, "HAProxy to die");
  await assert.rejects(get(port, "a.test"));

  assert.equal(await router.ensureRunning(desired), "started");
  assert.notEqual(router.pid(), oldMaster);
  assert.equal((await get(port, "a.test")).body, "A");
  assert.equal((await get(port, "other.test")).status, 404);
  assert.equal(await router.ensureRunning(desired), "running");
});

test("a second router on the same directory adopts the running HAProxy", async (t) => {
  const a = await startApp(t, "A");
  const b = await startApp(t, "B");
  const desired: DesiredRouter = { hosts: { "a.test": "app_a" }, backends: [{ name: "app_a", servers: [server(a)] }] };
  const { port, router, dir } = await startRouter(t, desired);

  const second = new HaproxyRouter({ dir, httpListen: `127.0.0.1:${port}` });
  assert.equal(await second.ensureRunning(desired), "adopted");
  assert.equal(second.pid(), router.pid());
  const worker = (await router.info()).workerPid;
  await second.apply({
    hosts: { "a.test": "app_a", "b.test": "app_a" },
    backends: [{ name: "app_a", servers: [server(b)] }],
  });
  assert.equal((await get(port, "b.test")).body, "B");
  assert.equal((await second.info()).workerPid, worker, "changed live, no reload");
});

test("apply() calls are serialized: concurrent applies end in the last desired state", async (t) => {
  const apps = await Promise.all(["S1", "S2", "S3", "S4"].map((n) => startApp(t, n)));
  const { port, router } = await startRouter(t, {
    hosts: { "a.test": "app_a" },
    backends: [{ name: "app_a", servers: [server(apps[0])] }],
  });
  await Promise.all(
    apps.map((app) =>
      router.apply({ hosts: { "a.test": "app_a" }, backends: [{ name: "app_a", servers: [server(app)] }] }),
    ),
  );
  assert.deepEqual(
    (await router.stats()).map((s) => s.server),
    ["S4"],
  );
  assert.equal((await get(port, "a.test")).body, "S4");
});

test("haproxy -c refuses a bad config with HAProxy's own words", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "yk-router-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const paths = routerPaths(dir);
  const supervisor = new HaproxySupervisor({
    bin: "/usr/sbin/haproxy",
    paths,
    client: new RuntimeClient(paths.adminSocket),
  });
  const tmp = join(dir, ".haproxy.cfg.tmp");
  writeFileSync(tmp, "global\n  no_such_keyword 1\n");
  await assert.rejects(
    supervisor.check(tmp),
    (e: unknown) => e instanceof AppError && e.code === "router_failed" && /no_such_keyword/.test(e.message),
  );
});
