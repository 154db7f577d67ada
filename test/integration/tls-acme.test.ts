import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import http from "node:http";
import https from "node:https";
import tls from "node:tls";
import { join } from "node:path";
import { TestServer, FIXTURES, uniqueApp } from "../helpers/yadokari.js";
import { addHosts, Pebble } from "../helpers/pebble.js";
import { waitFor } from "../helpers/http.js";
import { freePort } from "../helpers/ports.js";
import { keepAliveLoad } from "../helpers/load.js";
import { makeCa, makeCert } from "../helpers/certs.js";
import { openDb } from "../../src/store/db.js";
import { Keyring } from "../../src/secrets/keyring.js";
import { CertStore } from "../../src/certs/cert-store.js";
import { inspectChain } from "../../src/lib/x509.js";
import { run } from "../../src/lib/run.js";

/*
 * Automatic certificates end to end: a real Yadokari server (its HAProxy on
 * free ports) ordering from Debian's Pebble, whose DNS (pebble-challtestsrv)
 * resolves every name to 127.0.0.1 and whose HTTP-01 validation connects to
 * the router's HTTP port. Test hostnames go into /etc/hosts (marked, removed
 * afterwards) for the self-check and the HTTPS clients.
 */

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const FAST = {
  YADOKARI_ACME_POLL_MS: "250",
  YADOKARI_ACME_POLL_MAX_MS: "1000",
  YADOKARI_ACME_TICK_MS: "1000",
  YADOKARI_ACME_BACKOFF_MS: "2000",
};

async function acmeServer(t: TestContext, opts: { validitySec?: number; env?: Record<string, string> } = {}) {
  const httpPort = await freePort();
  const pebble = await Pebble.start({ httpPort, validitySec: opts.validitySec });
  t.after(() => pebble.close());
  const s = await TestServer.start({
    httpPort,
    env: { ...FAST, ...opts.env },
    args: ["--acme-directory", pebble.directory, "--acme-ca-file", pebble.caFile, "--acme-email", "ops@yk.test"],
  });
  t.after(() => s.close());
  return { s, pebble };
}

interface HostView {
  hostname: string;
  status: string;
  certificate: { fingerprint: string; source: string; issuer: string; notAfter: string } | null;
  lastAttempt: { ok: boolean | null; ordered: boolean; message: string } | null;
}

async function hostView(s: TestServer, app: string, host: string): Promise<HostView | undefined> {
  const v = (await s.api("GET", `/apps/${app}/certs`)).body as { hostnames: HostView[] };
  return v.hostnames.find((h) => h.hostname === host);
}

async function issued(
  s: TestServer,
  app: string,
  host: string,
  ms = 60_000,
  notFingerprint?: string,
): Promise<HostView> {
  return waitFor(
    `a certificate for ${host}`,
    async () => {
      const h = await hostView(s, app, host);
      return h?.status === "issued" && h.certificate && h.certificate.fingerprint !== notFingerprint ? h : null;
    },
    ms,
    200,
  ).catch(async (e: Error) => {
    throw new Error(`${e.message}; last view: ${JSON.stringify(await hostView(s, app, host))}`);
  });
}

/** GET over HTTPS with SNI, the chain verified against `ca` only. */
function httpsGet(port: number, host: string, ca: string, path = "/") {
  return new Promise<{ status: number; body: string; fingerprint: string }>((resolve, reject) => {
    const req = https.get(
      { host: "127.0.0.1", port, path, servername: host, headers: { host }, ca, agent: false, timeout: 5000 },
      (res) => {
        const fingerprint = (res.socket as tls.TLSSocket).getPeerCertificate().fingerprint.replace(/:/g, "");
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, fingerprint }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

function httpGet(port: number, host: string, path = "/") {
  return new Promise<{ status: number; location?: string }>((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path, headers: { host }, agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

test("two apps get certificates from the ACME server; HTTPS verifies against its root; HTTP redirects; keys are sealed at rest", async (t) => {
  const { s, pebble } = await acmeServer(t);
  const [a, b] = [uniqueApp("tlsa"), uniqueApp("tlsb")];
  const [ha, hb] = [`${a}.${s.domain}`, `${b}.${s.domain}`];
  t.after(addHosts([ha, hb]));
  await s.createApp(a);
  await s.createApp(b);
  await s.deploy(a, join(FIXTURES, "good"));
  const [va, vb] = await Promise.all([issued(s, a, ha), issued(s, b, hb)]);
  assert.equal(va.certificate?.source, "acme");
  assert.match(va.certificate?.issuer ?? "", /Pebble/i);
  assert.equal(vb.lastAttempt?.ok, true);

  const root = await pebble.root();
  const r = await httpsGet(s.httpsPort!, ha, root);
  assert.equal(r.status, 200);
  assert.equal(r.fingerprint, va.certificate?.fingerprint);
  // the app sees https
  const seen = await httpsGet(s.httpsPort!, ha, root, "/headers");
  if (seen.body.startsWith("{")) assert.equal(JSON.parse(seen.body)["x-forwarded-proto"], "https");

  const redirect = await httpGet(s.httpPort, ha, "/x?y=1");
  assert.equal(redirect.status, 308);
  assert.equal(redirect.location, `https://${ha}:${s.httpsPort}/x?y=1`);
  assert.equal((await s.api("PATCH", `/apps/${a}/tls`, { redirectHttps: false })).status, 200);
  assert.equal((await httpGet(s.httpPort, ha)).status, 200, "redirect off: HTTP serves again");

  // No private key in clear in the store.
  const db = readFileSync(join(s.dataDir, "yadokari.db")).toString("latin1");
  assert.doesNotMatch(db, /BEGIN (EC )?PRIVATE KEY/);
});

test("a hostname that does not resolve here: no order placed, the message says what to fix, retried with backoff", async (t) => {
  const { s, pebble } = await acmeServer(t, { env: { YADOKARI_ACME_BACKOFF_MS: "60000" } });
  const app = uniqueApp("tlsn");
  t.after(addHosts([`${app}.${s.domain}`]));
  await s.createApp(app);
  const nowhere = `${app}-nowhere.example`;
  assert.equal((await s.api("POST", `/apps/${app}/domains`, { hostname: nowhere })).status, 201);
  const h = await waitFor(
    "the failed attempt",
    async () => {
      const v = await hostView(s, app, nowhere);
      return v?.lastAttempt?.ok === false ? v : null;
    },
    30_000,
    200,
  );
  assert.equal(h.status, "failing");
  assert.equal(h.lastAttempt?.ordered, false);
  assert.match(h.lastAttempt?.message ?? "", new RegExp(`${nowhere} does not resolve .*add a DNS A record`));
  assert.ok(!pebble.log.includes(nowhere), "Pebble never heard of the hostname");
  // the other hostname of the app was not held up
  await issued(s, app, `${app}.${s.domain}`);
  const attempts = (await s.api("GET", `/apps/${app}/certs/attempts?hostname=${nowhere}`)).body as unknown[];
  assert.equal(attempts.length, 1, "backoff: no second attempt within the minute");
});

test("uploaded certificates: expired, malformed, for another host or with another key are refused with the reason", async (t) => {
  const s = await TestServer.start();
  t.after(() => s.close());
  const app = uniqueApp("tlsu");
  const other = uniqueApp("tlso");
  await s.createApp(app);
  await s.createApp(other);
  const ca = await makeCa();
  const host = `${app}.${s.domain}`;
  const upload = (certificate: string, privateKey: string) =>
    s.api("POST", `/apps/${app}/certs`, { certificate, privateKey });
  const expired = await makeCert(ca, [host], {
    notBefore: new Date(Date.now() - 20 * 86_400_000),
    notAfter: new Date(Date.now() - 86_400_000),
  });
  const cases: [string, Promise<{ status: number; body: any }>, RegExp][] = [
    ["expired", upload(expired.chain, expired.key), /expired on \d{4}-/],
    [
      "malformed",
      upload("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", expired.key),
      /malformed/,
    ],
    [
      "another host",
      (async () => {
        const c = await makeCert(ca, ["elsewhere.example"]);
        return upload(c.chain, c.key);
      })(),
      /none of which is a domain of/,
    ],
    [
      "another app's host",
      (async () => {
        const c = await makeCert(ca, [host, `${other}.${s.domain}`]);
        return upload(c.chain, c.key);
      })(),
      new RegExp(`a domain of app ${other}`),
    ],
    [
      "another key",
      (async () => {
        const c = await makeCert(ca, [host]);
        const d = await makeCert(ca, [host]);
        return upload(c.chain, d.key);
      })(),
      /does not match/,
    ],
  ];
  for (const [what, res, why] of cases) {
    const r = await res;
    assert.equal(r.status, 422, what);
    assert.equal(r.body.error.code, "invalid_certificate", what);
    assert.match(r.body.error.message, why, what);
  }
  // a wildcard for the app's review-app domain is accepted, and serves a review-style hostname
  const wild = await makeCert(ca, [`*.${host}`]);
  assert.equal((await upload(wild.chain, wild.key)).status, 201);
  const sub = `feature.${host}`;
  assert.equal((await s.api("POST", `/apps/${app}/domains`, { hostname: sub })).status, 201);
  const r = await httpsGet(s.httpsPort!, sub, ca.cert);
  assert.equal(r.fingerprint, inspectChain(wild.chain).fingerprint);
  assert.equal((await s.api("DELETE", `/apps/${app}/certs/${sub}`)).status, 200);
  await assert.rejects(httpsGet(s.httpsPort!, sub, ca.cert), /unrecognized name|alert/);
});

test("renewal of short-lived certificates and a new one added, under keep-alive HTTPS load: 0 failed requests, no reload", async (t) => {
  const { s, pebble } = await acmeServer(t, { validitySec: 24 });
  const app = uniqueApp("tlsr");
  const host = `${app}.${s.domain}`;
  const extra = `www.${host}`;
  t.after(addHosts([host, extra]));
  await s.createApp(app);
  await s.deploy(app, join(FIXTURES, "good"));
  const first = await issued(s, app, host);
  const root = await pebble.root();
  const workerBefore = readFileSync(join(s.dataDir, "router", "haproxy.pid"), "utf8");
  const load = keepAliveLoad({
    port: s.httpsPort!,
    host,
    connections: 4,
    maxRequests: 1_000_000,
    maxMs: 60_000,
    tls: { ca: root },
  });
  await sleep(500);
  assert.equal((await s.api("POST", `/apps/${app}/domains`, { hostname: extra })).status, 201);
  await issued(s, app, extra);
  const renewed = await issued(s, app, host, 40_000, first.certificate!.fingerprint);
  await sleep(500);
  const result = await load.stop();
  assert.equal(result.failed, 0, `failed: ${result.failures.join(", ")}`);
  assert.ok(result.ok > 100, `requests: ${result.ok}`);
  assert.equal((await httpsGet(s.httpsPort!, host, root)).fingerprint, renewed.certificate!.fingerprint);
  const attempts = (await s.api("GET", `/apps/${app}/certs/attempts?hostname=${host}`)).body as {
    kind: string;
    ok: boolean;
  }[];
  assert.ok(attempts.some((a) => a.kind === "renew" && a.ok));
  assert.equal(readFileSync(join(s.dataDir, "router", "haproxy.pid"), "utf8"), workerBefore, "same HAProxy");
  t.diagnostic(`renewal under load: ${result.ok} requests ok, 0 failed`);
});

test("HAProxy killed, then the server restarted with a corrupt certificate file and an expired certificate in the store: every other hostname served", async (t) => {
  const { s, pebble } = await acmeServer(t);
  const [a, b] = [uniqueApp("tlsk"), uniqueApp("tlsl")];
  const [ha, hb] = [`${a}.${s.domain}`, `${b}.${s.domain}`];
  t.after(addHosts([ha, hb]));
  await s.createApp(a);
  await s.createApp(b);
  const [va, vb] = await Promise.all([issued(s, a, ha), issued(s, b, hb)]);
  const root = await pebble.root();

  // HAProxy killed: the server's watchdog restarts it with the same certificates.
  const pid = s.routerPid()!;
  process.kill(pid, "SIGKILL");
  await waitFor("HAProxy restarted", async () => (s.routerPid() !== pid ? s.routerPid() : null), 20_000, 200);
  const again = await waitFor(
    "HTTPS again",
    async () => httpsGet(s.httpsPort!, ha, root).catch(() => null),
    20_000,
    200,
  );
  assert.equal(again.fingerprint, va.certificate!.fingerprint);

  // Server and HAProxy down; one certificate file corrupted, an expired certificate slipped into the store.
  await s.stop();
  process.kill(s.routerPid()!, "SIGTERM");
  await sleep(500);
  writeFileSync(join(s.dataDir, "router", "certs", `acme-${ha}.pem`), "-----BEGIN CERTIFICATE-----\ncorrupt\n");
  const ca = await makeCa();
  const stale = await makeCert(ca, [`stale.${hb}`], {
    notBefore: new Date(Date.now() - 30 * 86_400_000),
    notAfter: new Date(Date.now() + 3000),
  });
  {
    const db = openDb(join(s.dataDir, "yadokari.db"));
    const facts = inspectChain(stale.chain);
    new CertStore(db, await Keyring.open(join(s.dataDir, "master.key"))).save(
      {
        source: "uploaded",
        app: b,
        hostname: null,
        names: facts.names,
        chain: facts.chain.join("\n"),
        fingerprint: facts.fingerprint,
        issuer: facts.issuer,
        notBefore: facts.notBefore.getTime(),
        notAfter: facts.notAfter.getTime(),
      },
      stale.key,
      Date.now(),
    );
    db.close();
  }
  await sleep(3500); // now it has expired
  await s.spawn();
  assert.equal((await httpsGet(s.httpsPort!, ha, root)).fingerprint, va.certificate!.fingerprint);
  assert.equal((await httpsGet(s.httpsPort!, hb, root)).fingerprint, vb.certificate!.fingerprint);
  assert.match(readFileSync(s.logPath, "utf8"), /left out: it expired on/);
});

test("Yadokari itself over HTTPS: the API hostname gets its own certificate; API and git push through the router", async (t) => {
  const httpPort = await freePort();
  const pebble = await Pebble.start({ httpPort });
  t.after(() => pebble.close());
  const apiHost = `${uniqueApp("api")}.example.test`;
  t.after(addHosts([apiHost]));
  const s = await TestServer.start({
    httpPort,
    env: FAST,
    args: ["--acme-directory", pebble.directory, "--acme-ca-file", pebble.caFile, "--api-hostname", apiHost],
  });
  t.after(() => s.close());
  const root = await pebble.root();
  const base = `https://${apiHost}:${s.httpsPort}`;
  const health = await waitFor(
    "the API over HTTPS",
    async () => httpsGet(s.httpsPort!, apiHost, root, "/api/v1/health").catch(() => null),
    60_000,
    250,
  );
  assert.equal(health.status, 200);
  const all = (await s.api("GET", "/certs")).body as HostView[];
  assert.equal(all.find((h) => h.hostname === apiHost)?.status, "issued");
  // plain HTTP to the API hostname redirects
  assert.equal((await httpGet(s.httpPort, apiHost, "/api/v1/health")).status, 308);
  // an app cannot take the API's hostname
  const app = uniqueApp("tlsg");
  await s.createApp(app);
  const taken = await s.api("POST", `/apps/${app}/domains`, { hostname: apiHost });
  assert.equal(taken.status, 409);

  // git push over HTTPS through the router, the chain verified against the ACME root
  const work = mkdtempSync(join(tmpdir(), "yk-https-git-"));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  writeFileSync(join(work, "root.pem"), root);
  const repo = join(work, "repo");
  cpSync(join(FIXTURES, "good"), repo, { recursive: true });
  const env = { ...process.env, GIT_SSL_CAINFO: join(work, "root.pem"), GIT_TERMINAL_PROMPT: "0" };
  const git = (...args: string[]) =>
    run("git", ["-c", "user.name=T", "-c", "user.email=t@yk.invalid", "-c", "init.defaultBranch=main", ...args], {
      cwd: repo,
      env,
      timeoutMs: 120_000,
    });
  await git("init", "-q");
  await git("add", ".");
  await git("commit", "-q", "-m", "first");
  const push = await git(
    "push",
    `https://git:${s.token}@${apiHost}:${s.httpsPort}/git/${app}.git`,
    "HEAD:refs/heads/main",
  );
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stderr, /remote: -----> v1 is live/);
  assert.ok(base.startsWith("https://"));
});
