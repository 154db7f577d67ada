import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { TestServer, FIXTURES, ROOT, appContainers, docker, uniqueApp } from "../helpers/yadokari.js";
import { getVia, waitFor } from "../helpers/http.js";
import { ykFor } from "../helpers/git.js";
import { freePort } from "../helpers/ports.js";
import { run } from "../../src/lib/run.js";
import { parseS3Target, s3List } from "../../src/ops/backup/s3.js";
import https from "node:https";
import type tls from "node:tls";
import { openDb } from "../../src/store/db.js";
import { Keyring } from "../../src/secrets/keyring.js";
import { CertStore } from "../../src/certs/cert-store.js";
import { makeCa, makeCert, type TestCa, type TestCert } from "../helpers/certs.js";

/**
 * Backup → a fresh host → restore: apps serve the same release with the same
 * config, users and the admin token work. "Fresh host" here: the first
 * server is closed, which removes its data dir and every container and image
 * of its apps, and the restore goes into a new data dir.
 */
const require = createRequire(import.meta.url);
const S3rver = require("s3rver") as new (o: object) => { run(): Promise<{ port: number }>; close(): Promise<void> };

const CLI = join(ROOT, "dist/src/main/cli.js");
const tarApp = uniqueApp("it-bkt");
const gitApp = uniqueApp("it-bkg");
let s: TestServer;
let work: string;
let s3: InstanceType<typeof S3rver>;
let s3Port = 0;
const S3_ENV = () => ({
  AWS_ACCESS_KEY_ID: "S3RVER",
  AWS_SECRET_ACCESS_KEY: "S3RVER",
  YADOKARI_S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
});
const S3_SETTINGS = () => ({
  accessKeyId: "S3RVER",
  secretAccessKey: "S3RVER",
  endpoint: `http://127.0.0.1:${s3Port}`,
  region: "",
  sessionToken: "",
});
// HTTPS state (#13): an uploaded certificate served by the router, and an ACME account key sealed in the store.
const tlsHost = `www.${tarApp}.example`;
const ACME_DIRECTORY = "https://acme.backup.test/directory";
let ca: TestCa;
let cert: TestCert;
let accountKeyPem = "";
const fingerprintOf = (pem: string) =>
  new (require("node:crypto").X509Certificate)(pem).fingerprint256.replace(/:/g, "") as string;

/** The certificate the router serves for `host`, and the app's answer over HTTPS. */
function httpsGet(port: number, host: string, caPem: string, path = "/") {
  return new Promise<{ status: number; body: string; fingerprint: string }>((resolve, reject) => {
    const req = https.get(
      { host: "127.0.0.1", port, path, servername: host, headers: { host }, ca: caPem, agent: false, timeout: 5000 },
      (res) => {
        const fingerprint = (res.socket as tls.TLSSocket).getPeerCertificate().fingerprint256.replace(/:/g, "");
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

/** The ACME account key of ACME_DIRECTORY in a data dir's store, opened with that dir's master key (none: null). */
async function accountKeyIn(dataDir: string): Promise<string | null> {
  const db = openDb(join(dataDir, "yadokari.db"));
  try {
    const certStore = new CertStore(db, await Keyring.open(join(dataDir, "master.key")));
    return certStore.accountKey(ACME_DIRECTORY, () => "");
  } finally {
    db.close();
  }
}

const backups = { encrypted: "", plain: "" };
let release = { tar: 0, git: 0 };
const servers: TestServer[] = [];

const git = (cwd: string, ...args: string[]) =>
  run("git", ["-c", "user.name=T", "-c", "user.email=t@yadokari.invalid", "-c", "init.defaultBranch=main", ...args], {
    cwd,
  });
const restore = (...args: string[]) => run(process.execPath, [CLI, "restore", ...args], { timeoutMs: 300_000 });
const startOn = async (dataDir: string) => {
  const srv = await TestServer.start({ dataDir });
  for (const a of [tarApp, gitApp]) srv.apps.add(a);
  servers.push(srv);
  return srv;
};

before(async () => {
  work = mkdtempSync(join(tmpdir(), "yk-it-backup-"));
  s3Port = await freePort();
  s3 = new S3rver({
    address: "127.0.0.1",
    port: s3Port,
    silent: true,
    directory: join(work, "s3"),
    configureBuckets: [{ name: "yk-backups" }],
  });
  await s3.run();
  s = await TestServer.start({ env: S3_ENV() });
  servers.push(s);
  await s.createApp(tarApp);
  await s.createApp(gitApp);
  assert.equal(
    (
      await s.api("PATCH", `/apps/${tarApp}/config`, {
        set: { GREETING: "from the backup", SECRET: "s3cr3t" },
        restart: false,
      })
    ).status,
    200,
  );
  assert.equal((await s.deploy(tarApp, join(FIXTURES, "env"))).status, "succeeded");
  assert.equal(
    (await s.api("PATCH", `/apps/${gitApp}/config`, { set: { GREETING: "git app" }, restart: false })).status,
    200,
  );
  const repo = join(work, "repo");
  cpSync(join(FIXTURES, "env"), repo, { recursive: true });
  await git(repo, "init", "-q");
  await git(repo, "add", ".");
  await git(repo, "commit", "-q", "-m", "first");
  const push = await git(
    repo,
    "push",
    `http://git:${s.token}@127.0.0.1:${s.apiPort}/git/${gitApp}.git`,
    "HEAD:refs/heads/main",
  );
  assert.equal(push.code, 0, push.stderr);
  const user = await s.api("POST", "/users", {
    email: "ops@backup.test",
    role: "deployer",
    apps: [tarApp],
    password: "a-long-password-for-ops",
  });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  release = {
    tar: (await s.api("GET", `/apps/${tarApp}`)).body.liveRelease,
    git: (await s.api("GET", `/apps/${gitApp}`)).body.liveRelease,
  };
  // HTTPS: a custom domain with an uploaded certificate, and an ACME account key (as the ACME client makes one)
  ca = await makeCa("Backup Test CA");
  cert = await makeCert(ca, [tlsHost]);
  assert.equal((await s.api("POST", `/apps/${tarApp}/domains`, { hostname: tlsHost })).status, 201);
  const up = await s.api("POST", `/apps/${tarApp}/certs`, { certificate: cert.chain, privateKey: cert.key });
  assert.equal(up.status, 201, JSON.stringify(up.body));
  await waitFor(
    "the uploaded certificate to be served",
    async () => (await httpsGet(s.httpsPort!, tlsHost, ca.cert).catch(() => null))?.status === 200,
    20000,
    200,
  );
  accountKeyPem = require("node:crypto")
    .generateKeyPairSync("ec", { namedCurve: "P-256" })
    .privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  const db = openDb(join(s.dataDir, "yadokari.db"));
  try {
    new CertStore(db, await Keyring.open(join(s.dataDir, "master.key"))).accountKey(
      ACME_DIRECTORY,
      () => accountKeyPem,
    );
  } finally {
    db.close();
  }
  writeFileSync(join(work, "pass"), "correct horse battery staple\n", { mode: 0o600 });
});
after(async () => {
  for (const srv of servers) await srv.close();
  await s3?.close().catch(() => {});
  rmSync(work, { recursive: true, force: true });
});

test("yk backup: encrypted with images to a file, plain to a directory, and to S3", async () => {
  const yk = ykFor(s, CLI);
  const t0 = Date.now();
  const enc = await yk(
    "backup",
    "--with-images",
    "--passphrase-file",
    join(work, "pass"),
    "--to",
    join(work, "full.tar.gz.enc"),
    "--json",
  );
  assert.equal(enc.code, 0, enc.stderr);
  const r = JSON.parse(enc.stdout);
  console.log(
    `# backup with images, encrypted: ${(r.bytes / 2 ** 20).toFixed(1)} MiB in ${r.durationMs} ms (command ${Date.now() - t0} ms)`,
  );
  assert.equal(r.encrypted, true);
  assert.deepEqual(
    r.apps.map((a: any) => [a.name, a.imageIncluded]).sort(),
    [
      [gitApp, true],
      [tarApp, true],
    ].sort(),
  );
  backups.encrypted = join(work, "full.tar.gz.enc");
  assert.ok(statSync(backups.encrypted).size > 1e6);

  mkdirSafe(join(work, "dir"));
  const plain = await yk("backup", "--to", `${join(work, "dir")}/`);
  assert.equal(plain.code, 0, plain.stderr);
  assert.match(plain.stdout, /Backup written to .*yadokari-\d{8}T\d{9}Z\.tar\.gz: [\d.]+ MiB in [\d.]+ s\./);
  const [name] = readdirSync(join(work, "dir"));
  backups.plain = join(work, "dir", name);
  const listing = await run("tar", ["-tzf", backups.plain]);
  for (const f of [
    "manifest.json",
    "store/yadokari.db",
    "store/master.key",
    "store/admin-token",
    "router/certs.list",
    `git/${gitApp}.git/HEAD`,
  ])
    assert.ok(listing.stdout.split("\n").includes(f), `${f} in the archive`);
  assert.ok(!listing.stdout.includes("images.tar"));

  const toS3 = await yk("backup", "--to", "s3://yk-backups/prod");
  assert.equal(toS3.code, 0, toS3.stderr);
  const keys = await s3List(parseS3Target("s3://yk-backups/prod", S3_SETTINGS()), "prod/");
  assert.equal(keys.length, 1);
  assert.match(keys[0], /^prod\/yadokari-\d{8}T\d{9}Z\.tar\.gz$/);

  const bad = await yk("backup", "--to", "s3://yk-backups/prod", "--passphrase-file", join(work, "missing"));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /passphrase file .* is not readable/);
  const list = await yk("backups");
  assert.match(list.stdout, /No schedule/);
  assert.equal(list.stdout.match(/ manual +ok /g)?.length, 3);
});

test("backup:schedule keeps the newest --keep backups", async () => {
  const yk = ykFor(s, CLI);
  const dir = join(work, "sched");
  mkdirSafe(dir);
  for (const n of ["yadokari-20200101T000000000Z.tar.gz", "yadokari-20200102T000000000Z.tar.gz", "notes.txt"])
    writeFileSync(join(dir, n), "old");
  const set = await yk("backup:schedule", "--every", "1h", "--keep", "2", "--to", dir);
  assert.equal(set.code, 0, set.stderr);
  // the server checks every minute; a restart runs the first due one at start
  await s.stop();
  await s.spawn();
  const files = await waitFor(
    "the scheduled backup and the retention",
    async () => {
      const f = readdirSync(dir).sort();
      return f.length === 3 && !f.includes("yadokari-20200101T000000000Z.tar.gz") ? f : null;
    },
    60000,
    250,
  );
  assert.equal(files[0], "notes.txt", "files that are not backups are left alone");
  assert.equal(files[1], "yadokari-20200102T000000000Z.tar.gz");
  assert.match(files[2], /^yadokari-2\d{3}/);
  assert.equal((await yk("backup:schedule", "--off")).code, 0);
});

test("restore on a fresh host: the same releases with the same config, users and admin token; a wrong passphrase restores nothing", async () => {
  const token = s.token;
  await s.close(); // its data dir, HAProxy, containers and images are gone
  assert.equal((await appContainers(tarApp)).length + (await appContainers(gitApp)).length, 0);
  assert.equal((await docker.listImages({ filters: { label: [`yadokari.app=${tarApp}`] } })).length, 0);

  const fresh = join(work, "host2");
  const wrong = join(work, "wrong");
  writeFileSync(wrong, "not the passphrase at all\n");
  const refused = await restore(backups.encrypted, "--data-dir", fresh, "--passphrase-file", wrong);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /does not decrypt/);
  assert.equal(existsSync(join(fresh, "yadokari.db")), false);

  const t0 = Date.now();
  const r = await restore(backups.encrypted, "--data-dir", fresh, "--passphrase-file", join(work, "pass"));
  assert.equal(r.code, 0, r.stderr + r.stdout);
  console.log(`# restore with images: ${Date.now() - t0} ms`);
  assert.match(r.stdout, new RegExp(`${tarApp} +v${release.tar} .* loaded`));
  const again = await restore(backups.encrypted, "--data-dir", fresh, "--passphrase-file", join(work, "pass"));
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already has a store/);

  const t1 = Date.now();
  const b = await startOn(fresh);
  assert.equal(b.token, token, "the admin token is the same");
  for (const [app, version] of [
    [tarApp, release.tar],
    [gitApp, release.git],
  ] as const)
    await waitFor(
      `${app} to serve`,
      async () => (await getVia(b.httpPort, `${app}.${b.domain}`)).body.trim() === `ok v${version}`,
      60000,
      200,
    );
  console.log(`# server start to every restored app serving: ${Date.now() - t1} ms`);
  assert.equal(
    (await getVia(b.httpPort, `${tarApp}.${b.domain}`, "/env/SECRET")).body,
    "s3cr3t",
    "config vars decrypt",
  );
  assert.equal((await b.api("GET", `/apps/${tarApp}/config`)).body.GREETING, "from the backup");
  const login = await fetch(`${b.url}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "ops@backup.test", password: "a-long-password-for-ops" }),
  });
  assert.equal(login.status, 201, "users log in");

  // HTTPS comes back: the uploaded certificate is served for its hostname, and the ACME account is the same one
  const served = await waitFor(
    `${tlsHost} over HTTPS`,
    async () => {
      const r = await httpsGet(b.httpsPort!, tlsHost, ca.cert).catch(() => null);
      return r?.status === 200 ? r : null;
    },
    20000,
    200,
  );
  assert.equal(served.fingerprint, fingerprintOf(cert.chain), "the uploaded certificate, from the restored store");
  assert.equal(served.body.trim(), `ok v${release.tar}`);
  const listed = (await b.api("GET", `/apps/${tarApp}/certs`)).body;
  assert.ok(JSON.stringify(listed).includes(tlsHost), "yk certs lists it");
  assert.equal(await accountKeyIn(fresh), accountKeyPem, "the ACME account key decrypts with the restored master key");
});

test("restore from S3 without images: the git-deployed app is rebuilt from its commit, the uploaded one is listed with why", async () => {
  for (const srv of servers) await srv.close();
  const fresh = join(work, "host3");
  const [key] = await s3List(parseS3Target("s3://yk-backups/prod", S3_SETTINGS()), "prod/");
  const r = await run(process.execPath, [CLI, "restore", `s3://yk-backups/${key}`, "--data-dir", fresh], {
    timeoutMs: 300_000,
    env: { ...process.env, ...S3_ENV() },
  });
  assert.match(r.stdout, /downloading s3:\/\/yk-backups\/prod\/yadokari-/);
  assert.equal(r.code, 1, "an app without an image is reported");
  assert.match(r.stdout, new RegExp(`${gitApp} +v${release.git} .* rebuilt`));
  assert.match(
    r.stdout,
    new RegExp(`${tarApp} +v${release.tar} .* MISSING: v${release.tar} was deployed from an uploaded archive`),
  );
  assert.match(r.stderr, new RegExp(`1 app restored without an image: ${tarApp}`));
  const c = await startOn(fresh);
  await waitFor(
    `${gitApp} to serve`,
    async () => (await getVia(c.httpPort, `${gitApp}.${c.domain}`)).body.trim() === `ok v${release.git}`,
    60000,
    200,
  );
  assert.equal((await getVia(c.httpPort, `${gitApp}.${c.domain}`, "/env/GREETING")).body, "git app");
});

function mkdirSafe(d: string): void {
  if (!existsSync(d)) require("node:fs").mkdirSync(d, { recursive: true });
}
