import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, appContainers, uniqueApp } from "../helpers/yadokari.js";
import { getVia, waitFor } from "../helpers/http.js";
import { keepAliveLoad } from "../helpers/load.js";
import { run } from "../../src/lib/run.js";

let s: TestServer;
const app = uniqueApp("it-config");
const host = () => `${app}.${s.domain}`;
const CLI = join(ROOT, "dist/src/main/cli.js");
const ENV_APP = join(FIXTURES, "env");

// Values unique to this run, so finding one anywhere can only mean a leak.
const SECRET = `sk-live-${randomBytes(12).toString("hex")}`;
const MULTI = `-----BEGIN KEY-----\nline=two==${randomBytes(8).toString("hex")}\n  indented 'quoted' "double" $HOME\n-----END KEY-----`;
const LEAK_MARKERS = [SECRET, MULTI.split("\n")[1]];
/** Bodies of refused requests, checked for the secret at the end. */
const errorBodies: string[] = [];

const env = () => {
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    YADOKARI_URL: s.url,
    YADOKARI_TOKEN: s.token,
    YADOKARI_CONFIG: join(s.dataDir, "cli.json"),
  };
  delete e.YADOKARI_APP;
  return e;
};
const yk = (...args: string[]) => run(process.execPath, [CLI, ...args], { env: env(), timeoutMs: 180000 });
const envVia = (name: string) => getVia(s.httpPort, host(), `/env/${name}`);
const config = async () => (await s.api("GET", `/apps/${app}/config`)).body as Record<string, string>;
const releases = async () => (await s.api("GET", `/apps/${app}/releases`)).body as any[];
const patch = async (body: unknown) => {
  const r = await s.api("PATCH", `/apps/${app}/config`, body);
  if (r.status >= 400) errorBodies.push(JSON.stringify(r.body));
  return r;
};

before(async () => {
  s = await TestServer.start();
  await s.createApp(app);
  const d = await s.deploy(app, ENV_APP);
  assert.equal(d.status, "succeeded", JSON.stringify(d));
});
after(async () => {
  await s?.close();
});

test("yk config:set makes a release 'Set …', streams its deploy, and every new container sees the values", async () => {
  const set = await yk("config:set", "-a", app, `API_TOKEN=${SECRET}`, `PEM=${MULTI}`, "EMPTY=");
  assert.equal(set.code, 0, set.stderr + set.stdout);
  assert.match(set.stdout, /Set API_TOKEN, PEM, EMPTY on .*deploy #\d+/);
  assert.match(set.stdout, /Release v2 created: Set API_TOKEN, PEM, EMPTY/);
  assert.match(set.stdout, /Deploy #\d+ succeeded: release v2/);
  for (const m of LEAK_MARKERS)
    assert.ok(!set.stdout.includes(m) && !set.stderr.includes(m), "the CLI prints names only");

  const [v2] = await releases();
  assert.equal(v2.version, 2);
  assert.equal(v2.description, "Set API_TOKEN, PEM, EMPTY");
  assert.equal((await getVia(s.httpPort, host())).body.trim(), "ok v2");
  assert.equal((await envVia("API_TOKEN")).body, SECRET);
  assert.equal((await envVia("PEM")).body, MULTI, "newlines, '=' and quotes arrive intact");
  assert.equal((await envVia("EMPTY")).status, 200);
  assert.equal((await envVia("EMPTY")).body, "");
  assert.equal((await envVia("PORT")).body, "5000", "Yadokari's own variables are still set");
  assert.equal((await envVia("YADOKARI_RELEASE")).body, "v2");

  assert.deepEqual(await config(), { API_TOKEN: SECRET, EMPTY: "", PEM: MULTI });
  assert.deepEqual((await s.api("GET", `/apps/${app}/config/PEM`)).body, { key: "PEM", value: MULTI });
  const get = await yk("config:get", "-a", app, "PEM");
  assert.equal(get.stdout, MULTI + "\n");
  const missing = await s.api("GET", `/apps/${app}/config/NOPE`);
  assert.equal(missing.status, 404);
  assert.match(missing.body.error.hint, /yk config -a/);
});

test("restart:false (--no-restart) stores without a release; the next deploy picks it up", async () => {
  const before = (await releases()).length;
  const r = await yk("config:set", "-a", app, "LATER=later-value", "--no-restart");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /without a restart/);
  assert.equal((await releases()).length, before);
  assert.equal((await envVia("LATER")).status, 404, "running containers are untouched");
  assert.equal((await config()).LATER, "later-value");
  const d = await s.deploy(app, ENV_APP);
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  assert.equal((await envVia("LATER")).body, "later-value");
  assert.equal((await envVia("API_TOKEN")).body, SECRET, "a build snapshots the stored config");
});

test("unset makes a release 'Unset …' without the var; set and unset together in one change", async () => {
  const r = await patch({ unset: ["LATER"] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(r.body.deploy, "a deploy was started");
  assert.equal(r.body.config.LATER, undefined);
  const d = await s.waitDeploy(app, r.body.deploy.id);
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  assert.equal((await releases())[0].description, "Unset LATER");
  assert.equal((await envVia("LATER")).status, 404);

  const both = await patch({ set: { FOO: "1" }, unset: ["EMPTY"] });
  assert.equal((await s.waitDeploy(app, both.body.deploy.id)).status, "succeeded");
  assert.equal((await releases())[0].description, "Set FOO; unset EMPTY");
  assert.equal((await envVia("FOO")).body, "1");
  assert.equal((await envVia("EMPTY")).status, 404);

  const cli = await yk("config:unset", "-a", app, "FOO");
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /Release v\d+ created: Unset FOO/);
  assert.equal((await envVia("FOO")).status, 404);
});

test("config:set of 2 replicas under keep-alive load fails 0 requests", async (t) => {
  assert.equal((await s.api("PATCH", `/apps/${app}`, { webReplicas: 2 })).status, 200);
  const scaled = await patch({ set: { WARM: "1" } });
  assert.equal((await s.waitDeploy(app, scaled.body.deploy.id)).status, "succeeded");

  const load = keepAliveLoad({ port: s.httpPort, host: host(), connections: 8, maxRequests: 200000, maxMs: 90000 });
  await new Promise((r) => setTimeout(r, 300));
  const r = await patch({ set: { UNDER_LOAD: "yes" } });
  const d = await s.waitDeploy(app, r.body.deploy.id);
  await new Promise((r) => setTimeout(r, 300));
  const res = await load.stop();
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  assert.ok(res.sent > 100, `only ${res.sent} requests were sent`);
  assert.equal(res.failed, 0, `failed requests: ${res.failures.join("; ")}`);
  t.diagnostic(
    `config:set under load: ${res.sent} requests, ${res.failed} failed, bodies ${JSON.stringify(Object.fromEntries(res.bodies))}`,
  );
  assert.equal((await envVia("UNDER_LOAD")).body, "yes");
  await waitFor(
    "only the new release's 2 containers left",
    async () => {
      const all = await appContainers(app);
      return all.length === 2 && all.every((c) => c.Labels["yadokari.release"] === `v${d.releaseVersion}`);
    },
    30000,
  );
});

test("hostile keys and values are refused with 400 invalid_request naming the field, and nothing is stored", async () => {
  const configBefore = await config();
  const releasesBefore = (await releases()).length;
  const hostileKeys = [
    "A;rm -rf /",
    "A;rm",
    "../x",
    "x/../../y",
    "PORT",
    "YADOKARI_APP",
    "",
    "A\nB",
    "A B",
    "$(id)",
    "1ABC",
    "É",
    "k".repeat(256),
  ];
  for (const key of hostileKeys) {
    for (const body of [{ set: { [key]: SECRET } }, { unset: [key] }]) {
      const r = await patch(body);
      assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 60)} → ${r.status}`);
      assert.equal(r.body.error.code, "invalid_request");
      assert.match(r.body.error.message, /^body\.(set|unset)/);
      assert.ok(r.body.error.hint);
    }
  }
  const port = await patch({ set: { PORT: "80" } });
  assert.match(port.body.error.message, /PORT cannot be a config var: Yadokari sets it/);
  for (const body of [
    { set: { OK_NAME: `${SECRET}\u0000` } },
    { set: { OK_NAME: 42 } },
    { set: { OK_NAME: SECRET.repeat(3000) } },
    { set: { OK_NAME: SECRET }, unset: ["OK_NAME"] },
    { set: { OK_NAME: SECRET }, restart: "yes" },
    { set: [["OK_NAME", SECRET]] },
    { vars: { OK_NAME: SECRET } },
    {},
  ]) {
    const r = await patch(body);
    assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 80)} → ${r.status}`);
  }
  const rawBad = await fetch(`${s.url}/api/v1/apps/${app}/config`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${s.token}`, "content-type": "application/json" },
    body: `{"set": {"A": "${SECRET}"`,
  });
  assert.equal(rawBad.status, 400);
  errorBodies.push(await rawBad.text());
  for (const key of ["A%3Brm", "..%2Fx", "PORT", "A%0AB"]) {
    const r = await s.api("GET", `/apps/${app}/config/${key}`);
    assert.equal(r.status, 400, `GET config/${key} → ${r.status}`);
  }
  const cli = await yk("config:set", "-a", app, "A;rm=1");
  assert.equal(cli.code, 2, "a bad name is a usage error in the CLI");
  const lone = await yk("config:set", "-a", app, SECRET);
  assert.equal(lone.code, 2);
  errorBodies.push(cli.stderr, lone.stderr);

  assert.deepEqual(await config(), configBefore);
  assert.equal((await releases()).length, releasesBefore);
  assert.equal((await envVia("API_TOKEN")).body, SECRET, "the live release keeps serving");
});

test("rotate-key re-encrypts everything under a new key id; values survive a server restart", async () => {
  const keyFile = () =>
    JSON.parse(readFileSync(join(s.dataDir, "master.key"), "utf8")) as {
      current: string;
      keys: Record<string, string>;
    };
  const old = keyFile();
  const r = await yk("config:rotate-key");
  assert.equal(r.code, 0, r.stderr);
  const after = keyFile();
  assert.notEqual(after.current, old.current);
  assert.deepEqual(Object.keys(after.keys), [after.current], "the old key is dropped");
  assert.match(r.stdout, new RegExp(`Rotated the master key to ${after.current}: \\d+ sealed values`));
  assert.equal(statSync(join(s.dataDir, "master.key")).mode & 0o777, 0o600);
  assert.equal((await config()).API_TOKEN, SECRET);

  await s.stop();
  await s.spawn();
  assert.deepEqual((await s.api("GET", `/apps/${app}/config/PEM`)).body, { key: "PEM", value: MULTI });
  assert.equal((await envVia("API_TOKEN")).body, SECRET);
  // A new release is made from the live one's (re-sealed) snapshot and the stored vars.
  const again = await patch({ set: { AFTER_ROTATE: "1" } });
  assert.equal(again.status, 200, JSON.stringify(again.body));
  assert.equal((await s.waitDeploy(app, again.body.deploy.id)).status, "succeeded");
  assert.equal((await envVia("API_TOKEN")).body, SECRET);
  assert.equal((await envVia("PEM")).body, MULTI);
  // Old releases (sealed under the dropped key before) still open.
  assert.ok((await releases()).length >= 6);
});

test("no secret is in plain text in the data dir (database, WAL, logs), deploy logs or error bodies", async () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) files.push(p);
    }
  };
  walk(s.dataDir);
  assert.ok(files.includes(join(s.dataDir, "yadokari.db")));
  assert.ok(files.includes(join(s.dataDir, "server.log")));
  const wal = join(s.dataDir, "yadokari.db-wal");
  assert.ok(files.includes(wal) && statSync(wal).size > 0, "the WAL holds recent writes and is searched too");
  const names = Buffer.concat([readFileSync(join(s.dataDir, "yadokari.db")), readFileSync(wal)]);
  assert.ok(
    names.includes(Buffer.from("AFTER_ROTATE")),
    "the search sees the store's plain text (names are not secret)",
  );
  for (const f of files) {
    if (f === join(s.dataDir, "cli.json")) continue;
    let bytes: Buffer;
    try {
      bytes = readFileSync(f);
    } catch (e) {
      // the temporary file of an atomic write (the router's config) may be renamed away during the walk
      if ((e as NodeJS.ErrnoException).code === "ENOENT" && /\/\.[^/]+\.\d+\.tmp$/.test(f)) continue;
      throw e;
    }
    for (const m of LEAK_MARKERS)
      assert.equal(bytes.indexOf(Buffer.from(m, "utf8")), -1, `${f} holds a secret in plain text`);
  }

  const deploys = (await s.api("GET", `/apps/${app}/deploys`)).body as any[];
  assert.ok(deploys.some((d) => d.source === "config"));
  for (const d of deploys) {
    const log = await fetch(`${s.url}/api/v1/apps/${app}/deploys/${d.id}/log`, {
      headers: { authorization: `Bearer ${s.token}` },
    }).then((x) => x.text());
    for (const m of LEAK_MARKERS)
      assert.ok(!log.includes(m) && !JSON.stringify(d).includes(m), `deploy #${d.id} shows a secret`);
  }
  const rels = JSON.stringify(await releases());
  for (const m of LEAK_MARKERS) assert.ok(!rels.includes(m), "release views carry no config");

  assert.ok(errorBodies.length > 30);
  for (const b of errorBodies)
    for (const m of LEAK_MARKERS) assert.ok(!b.includes(m), `an error shows a secret: ${b.slice(0, 200)}`);
});
