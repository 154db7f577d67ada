import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, appContainers, uniqueApp } from "../helpers/yadokari.js";
import { getVia, waitFor } from "../helpers/http.js";
import { ykFor } from "../helpers/git.js";

/**
 * A crashing worker is not invisible (issue 15): a deploy's non-web processes
 * must stay up for their settling time (app.json formation.<type>.settle, the
 * server's YADOKARI_SETTLE_SEC by default) or the deploy fails with the
 * worker's last lines and the previous release runs again; a crash loop
 * stops being shown as soon as the process runs again.
 */
let s: TestServer;
const CLI = join(ROOT, "dist/src/main/cli.js");
const yk = (...args: string[]) => ykFor(s, CLI)(...args);
const tmp = mkdtempSync(join(tmpdir(), "yk-it-settle-"));

before(async () => {
  s = await TestServer.start();
});
after(async () => {
  await s?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const liveVersion = async (app: string) =>
  ((await s.api("GET", `/apps/${app}/releases`)).body as any[]).find((r) => r.live)?.version;

async function configDeploy(app: string, set: Record<string, string>) {
  const r = await s.api("PATCH", `/apps/${app}/config`, { set });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return s.waitDeploy(app, r.body.deploy.id);
}

test("a deploy whose worker crashes within its settling time fails with the worker's last lines; the old release keeps running", async () => {
  const app = uniqueApp("it-settle");
  await s.createApp(app);
  const v1 = await s.deploy(app, join(FIXTURES, "worker")); // settle: 3 s in its app.json
  assert.equal(v1.status, "succeeded", JSON.stringify(v1));
  assert.ok(
    v1.steps.some((x: any) => x.name === "settle worker" && x.status === "done"),
    JSON.stringify(v1.steps),
  );

  // v2's worker dies a second after it starts: the deploy fails, not "succeeded"
  const d = await configDeploy(app, { WORKER_CRASH_AFTER_MS: "1000" });
  assert.equal(d.status, "failed", JSON.stringify(d));
  assert.equal(d.errorCode, "process_crashed");
  assert.match(d.reason, /worker container \S+ exited with code 3 \d+ s into its 3 s settling time/);
  assert.match(d.containerLog ?? "", /crashing on purpose/);
  const log = (await s.api("GET", `/apps/${app}/deploys/${d.id}/log`)).body as string;
  assert.match(log, /Deploy failed: worker container/);
  assert.match(log, /!\s+\| .*crashing on purpose/, "the worker's last lines are in the deploy log");
  assert.match(log, /Rolling back to v1/);

  assert.equal(await liveVersion(app), 1, "v1 is still the live release");
  assert.equal((await getVia(s.httpPort, `${app}.${s.domain}`, "/")).body.trim(), "ok v1");
  await waitFor("a v1 worker to run", async () => {
    const c = await appContainers(app);
    return c.some((x) => x.Labels["yadokari.process"] === "worker" && x.State === "running" && /-v1-/.test(x.Names[0]))
      ? true
      : null;
  });
  const rel = ((await s.api("GET", `/apps/${app}/releases`)).body as any[]).find((r) => r.version === 2);
  assert.equal(rel.status, "never-live");
  assert.equal(rel.deploy.failedStep, "settle worker");

  // the CLI says so too, with a non-zero exit
  const cli = await yk("config:set", "-a", app, "WORKER_CRASH=1");
  assert.notEqual(cli.code, 0, cli.stdout);
  assert.match(cli.stderr, /process_crashed|exited with code 3/);
});

test("yk ps and yk apps stop saying crashed as soon as the process runs again (a rollback to a good release)", async () => {
  const app = uniqueApp("it-psclear");
  await s.createApp(app);
  // the settling check off in this copy's app.json: v2's crashing worker goes live and loops
  const dir = join(tmp, "worker-nosettle");
  cpSync(join(FIXTURES, "worker"), dir, { recursive: true });
  writeFileSync(join(dir, "app.json"), JSON.stringify({ formation: { worker: { quantity: 1, settle: 0 } } }));
  assert.equal((await s.deploy(app, dir)).status, "succeeded");
  assert.equal((await configDeploy(app, { WORKER_CRASH: "1" })).status, "succeeded");
  await waitFor(
    "the worker's crash loop",
    async () => {
      const ps = (await s.api("GET", `/apps/${app}/formation`)).body;
      return ps.processes.find((p: any) => p.type === "worker")?.crashLoop ? true : null;
    },
    60000,
    250,
  );
  assert.equal((await s.api("GET", `/apps/${app}`)).body.status, "crashed");

  const rb = await yk("rollback", "-a", app);
  assert.equal(rb.code, 0, rb.stdout + rb.stderr);
  const ps = await yk("ps", "-a", app);
  assert.equal(ps.code, 0, ps.stderr);
  assert.match(
    ps.stdout.split("\n").find((l) => l.startsWith("worker")) ?? "",
    /^worker\s+1\s+1\s+\d+\s+ok\s/,
    ps.stdout,
  );
  assert.doesNotMatch(ps.stdout, /crash loop|crashed/i, ps.stdout);
  assert.equal((await s.api("GET", `/apps/${app}`)).body.status, "running");
  const apps = await yk("apps");
  assert.doesNotMatch(apps.stdout.split("\n").find((l) => l.includes(app)) ?? "", /crashed/i, apps.stdout);
});
