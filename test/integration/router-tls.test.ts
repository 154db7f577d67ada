import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import tls from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HaproxyRouter } from "../../src/router/haproxy-router.js";
import { isAlive } from "../../src/router/proc.js";
import type { DesiredCertificate, DesiredRouter } from "../../src/router/types.js";
import { inspectChain } from "../../src/lib/x509.js";
import { makeCa, makeCert, type TestCa } from "../helpers/certs.js";
import { keepAliveLoad } from "../helpers/load.js";
import { freePort } from "../helpers/ports.js";

/*
 * The router's HTTPS listener against a real HAProxy: certificates added,
 * renewed and removed through the runtime API (no reload), redirects, HSTS,
 * ACME challenge answers, restarts, and certificates that must be left out.
 * Apps are small Node servers that answer with their name or their headers.
 */

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function startApp(t: TestContext, name: string): Promise<number> {
  const server = http.createServer((req, res) => {
    if (req.url === "/headers") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(req.headers));
    } else res.end(name);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return (server.address() as net.AddressInfo).port;
}

interface Setup {
  router: HaproxyRouter;
  dir: string;
  httpPort: number;
  httpsPort: number;
  ca: TestCa;
  desired: (over?: Partial<DesiredRouter>) => DesiredRouter;
  logs: string[];
}

async function setup(t: TestContext): Promise<Setup> {
  const [a, b] = [await startApp(t, "A"), await startApp(t, "B")];
  const dir = mkdtempSync(join(tmpdir(), "yk-tls-"));
  const httpPort = await freePort();
  const httpsPort = await freePort();
  const logs: string[] = [];
  const router = new HaproxyRouter({
    dir,
    httpListen: `127.0.0.1:${httpPort}`,
    httpsListen: `127.0.0.1:${httpsPort}`,
    log: (m) => logs.push(m),
  });
  t.after(async () => {
    await router.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const desired = (over: Partial<DesiredRouter> = {}): DesiredRouter => ({
    hosts: { "a.test": "app_a", "b.test": "app_b" },
    backends: [
      { name: "app_a", servers: [{ name: "a1", address: "127.0.0.1", port: a, weight: 10, state: "ready" }] },
      { name: "app_b", servers: [{ name: "b1", address: "127.0.0.1", port: b, weight: 10, state: "ready" }] },
    ],
    ...over,
  });
  assert.equal(await router.ensureRunning(desired()), "started");
  return { router, dir, httpPort, httpsPort, ca: await makeCa(), desired, logs };
}

async function cert(ca: TestCa, name: string, names: string[], opts = {}): Promise<DesiredCertificate> {
  const c = await makeCert(ca, names, opts);
  return { name, pem: c.pem, fingerprint: inspectChain(c.chain).fingerprint };
}

interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function httpsGet(port: number, host: string, ca: string, path = "/"): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: "127.0.0.1", port, path, servername: host, headers: { host }, ca, agent: false, timeout: 5000 },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

function httpGet(port: number, host: string, path = "/", headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: "127.0.0.1", port, path, headers: { host, ...headers }, agent: false, timeout: 5000 },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

/** The certificate HAProxy presents for an SNI (its SHA-1), and the ALPN protocol it chose; null when the handshake fails. */
function handshake(port: number, servername: string): Promise<{ fingerprint: string; alpn: string | false } | null> {
  return new Promise((resolve) => {
    const s = tls.connect({
      host: "127.0.0.1",
      port,
      servername,
      rejectUnauthorized: false,
      ALPNProtocols: ["h2", "http/1.1"],
    });
    s.setTimeout(5000, () => {
      s.destroy();
      resolve(null);
    });
    s.once("secureConnect", () => {
      const fp = s.getPeerCertificate().fingerprint.replace(/:/g, "");
      const alpn = s.alpnProtocol ?? false;
      s.end();
      resolve({ fingerprint: fp, alpn });
    });
    s.once("error", () => resolve(null));
  });
}

/** A raw HTTP/1.1 request, for headers Node's client will not send (two Host lines). */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(port, "127.0.0.1");
    let out = "";
    s.on("data", (d) => (out += d.toString("latin1")));
    s.on("end", () => resolve(out));
    s.on("error", reject);
    s.setTimeout(5000, () => s.destroy(new Error("timeout")));
    s.write(request);
  });
}

test("certificates are added live: SNI picks each host's, the chain verifies, h2 by ALPN, X-Forwarded-Proto https", async (t) => {
  const s = await setup(t);
  const before = await s.router.info();
  assert.equal(await handshake(s.httpsPort, "a.test"), null, "no certificate yet: strict SNI refuses");
  const ca = await cert(s.ca, "a", ["a.test"]);
  const cb = await cert(s.ca, "b", ["b.test"]);
  await s.router.apply(s.desired({ certificates: [ca, cb] }));

  assert.equal((await httpsGet(s.httpsPort, "a.test", s.ca.cert)).body, "A");
  assert.equal((await httpsGet(s.httpsPort, "b.test", s.ca.cert)).body, "B");
  const hs = await handshake(s.httpsPort, "b.test");
  assert.equal(hs?.fingerprint, cb.fingerprint);
  assert.equal(hs?.alpn, "h2");
  assert.equal(await handshake(s.httpsPort, "unknown.test"), null, "an unknown SNI gets no other app's certificate");
  const seen = JSON.parse((await httpsGet(s.httpsPort, "a.test", s.ca.cert, "/headers")).body) as Record<
    string,
    string
  >;
  assert.equal(seen["x-forwarded-proto"], "https");
  assert.equal(JSON.parse((await httpGet(s.httpPort, "a.test", "/headers")).body)["x-forwarded-proto"], "http");

  const after = await s.router.info();
  assert.equal(after.workerPid, before.workerPid, "no reload for certificates");
  assert.equal(readFileSync(s.router.paths.crtList, "utf8").trim().split("\n").length, 2, "the crt-list file too");
});

test("redirect to HTTPS (308) only for hosts with a certificate, never for ACME challenges; HSTS over HTTPS only", async (t) => {
  const s = await setup(t);
  const ca = await cert(s.ca, "a", ["a.test"]);
  // b.test asks for a redirect but has no certificate: it must not be redirected
  await s.router.apply(
    s.desired({ certificates: [ca], redirectHttps: ["a.test", "b.test"], hsts: { "a.test": 3600, "b.test": 60 } }),
  );
  const r = await httpGet(s.httpPort, "a.test", "/x?y=1");
  assert.equal(r.status, 308);
  assert.equal(r.headers.location, `https://a.test:${s.httpsPort}/x?y=1`);
  assert.equal(r.headers["strict-transport-security"], undefined);
  assert.equal((await httpGet(s.httpPort, "b.test")).body, "B");
  const secure = await httpsGet(s.httpsPort, "a.test", s.ca.cert);
  assert.equal(secure.headers["strict-transport-security"], "max-age=3600");

  await s.router.setAcmeChallenge("tok-123_ABC", "tok-123_ABC.thumbprint");
  const challenge = await httpGet(s.httpPort, "a.test", "/.well-known/acme-challenge/tok-123_ABC");
  assert.equal(challenge.status, 200);
  assert.equal(challenge.body, "tok-123_ABC.thumbprint");
  // answered for any host, even one the router does not route
  assert.equal(
    (await httpGet(s.httpPort, "new.example", "/.well-known/acme-challenge/tok-123_ABC")).body,
    "tok-123_ABC.thumbprint",
  );
  // an unknown token is not redirected either: it reaches the app
  assert.equal((await httpGet(s.httpPort, "a.test", "/.well-known/acme-challenge/other")).status, 200);
  await s.router.setAcmeChallenge("tok-123_ABC", null);
  assert.equal((await httpGet(s.httpPort, "new.example", "/.well-known/acme-challenge/tok-123_ABC")).status, 404);

  await s.router.apply(s.desired({ certificates: [ca], redirectHttps: [] }));
  assert.equal((await httpGet(s.httpPort, "a.test")).body, "A", "redirect turned off live");
});

test("adding, renewing and removing certificates under keep-alive HTTPS load fails no request", async (t) => {
  const s = await setup(t);
  const first = await cert(s.ca, "a", ["a.test"]);
  await s.router.apply(s.desired({ certificates: [first] }));
  const worker = (await s.router.info()).workerPid;
  const load = keepAliveLoad({
    port: s.httpsPort,
    host: "a.test",
    connections: 8,
    maxRequests: 200_000,
    maxMs: 20_000,
    tls: { ca: s.ca.cert },
  });
  // new handshakes during the changes too
  let stop = false;
  let handshakes = 0;
  let handshakeFailures = 0;
  const churn = (async () => {
    while (!stop) {
      const r = await handshake(s.httpsPort, "a.test");
      if (r) handshakes++;
      else handshakeFailures++;
    }
  })();
  let current = first;
  for (let i = 0; i < 10; i++) {
    const extra = await Promise.all(Array.from({ length: 5 }, (_, j) => cert(s.ca, `x${i}-${j}`, [`x${i}-${j}.test`])));
    current = await cert(s.ca, "a", ["a.test"]); // a renewal: same file, new certificate
    await s.router.apply(s.desired({ certificates: [current, ...extra] }));
    await sleep(100);
  }
  await s.router.apply(s.desired({ certificates: [current] }));
  stop = true;
  await churn;
  const result = await load.stop();
  assert.equal(result.failed, 0, `failed: ${result.failures.join(", ")}`);
  assert.equal(handshakeFailures, 0);
  assert.ok(result.ok > 100, `requests: ${result.ok}`);
  assert.equal((await handshake(s.httpsPort, "a.test"))?.fingerprint, current.fingerprint, "the renewed one is served");
  assert.equal(await handshake(s.httpsPort, "x0-0.test"), null, "removed");
  assert.equal((await s.router.info()).workerPid, worker, "no reload");
  t.diagnostic(`under churn: ${result.ok} requests ok, ${handshakes} new handshakes ok, 0 failed`);
});

test("HAProxy killed and restarted serves the same certificates", async (t) => {
  const s = await setup(t);
  const ca = await cert(s.ca, "a", ["a.test"]);
  const cb = await cert(s.ca, "b", ["*.b.test", "b.test"]);
  const desired = s.desired({ certificates: [ca, cb], redirectHttps: ["a.test"] });
  await s.router.apply(desired);
  const master = s.router.pid()!;
  const worker = (await s.router.info()).workerPid;
  process.kill(master, "SIGKILL");
  for (let i = 0; i < 100 && (isAlive(master) || isAlive(worker)); i++) await sleep(50);
  assert.equal(await s.router.ensureRunning(desired), "started");
  assert.equal((await handshake(s.httpsPort, "a.test"))?.fingerprint, ca.fingerprint);
  assert.equal((await handshake(s.httpsPort, "x.b.test"))?.fingerprint, cb.fingerprint, "wildcard");
  assert.equal((await httpGet(s.httpPort, "a.test")).status, 308);
  // and a later apply finds nothing to change
  await s.router.apply(desired);
  assert.equal((await httpsGet(s.httpsPort, "b.test", s.ca.cert)).body, "B");
});

test("a bad certificate is left out and reported, and never stops the router; a corrupt file is rewritten at start", async (t) => {
  const s = await setup(t);
  const good = await cert(s.ca, "good", ["a.test"]);
  const expired = await cert(s.ca, "expired", ["b.test"], {
    notBefore: new Date(Date.now() - 10 * 86_400_000),
    notAfter: new Date(Date.now() - 86_400_000),
  });
  const other = await makeCert(s.ca, ["c.test"]);
  const mismatched: DesiredCertificate = {
    name: "mismatch",
    pem: other.chain + (await makeCert(s.ca, ["d.test"])).key,
    fingerprint: inspectChain(other.chain).fingerprint,
  };
  const desired = s.desired({ certificates: [good, expired, mismatched], redirectHttps: ["a.test", "b.test"] });
  await s.router.apply(desired);
  assert.deepEqual(
    s.router
      .rejectedCertificates()
      .map((r) => r.name)
      .sort(),
    ["expired", "mismatch"],
  );
  assert.ok(s.logs.some((l) => /certificate expired left out: it expired on/.test(l)));
  assert.ok(s.logs.some((l) => /certificate mismatch left out: the private key does not match/.test(l)));
  assert.equal((await httpsGet(s.httpsPort, "a.test", s.ca.cert)).body, "A");
  assert.equal(await handshake(s.httpsPort, "b.test"), null);
  assert.equal((await httpGet(s.httpPort, "b.test")).body, "B", "no redirect to a host without a served certificate");

  // Corrupt the good certificate's file, kill HAProxy: the start rewrites it from the desired state.
  writeFileSync(join(s.router.paths.certsDir, "good.pem"), "-----BEGIN CERTIFICATE-----\ngarbage\n");
  process.kill(s.router.pid()!, "SIGKILL");
  await sleep(300);
  assert.equal(await s.router.ensureRunning(desired), "started");
  assert.equal((await httpsGet(s.httpsPort, "a.test", s.ca.cert)).body, "A");
});

test("Host with two values or two Host headers gets a 400, and a client's X-Forwarded-For is replaced", async (t) => {
  const s = await setup(t);
  await s.router.apply(s.desired());
  const twoValues = await raw(s.httpPort, "GET / HTTP/1.1\r\nHost: a.test, b.test\r\nConnection: close\r\n\r\n");
  assert.match(twoValues, /^HTTP\/1\.1 400 /);
  const twoHeaders = await raw(
    s.httpPort,
    "GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\nConnection: close\r\n\r\n",
  );
  assert.match(twoHeaders, /^HTTP\/1\.[01] 400 /);
  const seen = JSON.parse(
    (await httpGet(s.httpPort, "a.test", "/headers", { "x-forwarded-for": "6.6.6.6" })).body,
  ) as Record<string, string>;
  assert.equal(seen["x-forwarded-for"], "127.0.0.1");
});
