import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, uniqueApp, appContainers, docker } from "../helpers/yadokari.js";
import { getVia, waitFor } from "../helpers/http.js";
import { keepAliveLoad } from "../helpers/load.js";
import { run } from "../../src/lib/run.js";

let s: TestServer;
const CLI = join(ROOT, "dist/src/main/cli.js");
const FLAKY = join(FIXTURES, "flaky");
const yk = (...args: string[]) => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    YADOKARI_URL: s.url,
    YADOKARI_TOKEN: s.token,
    YADOKARI_CONFIG: join(s.dataDir, "cli.json"),
  };
  delete env.YADOKARI_APP;
  return run(process.execPath, [CLI, ...args], { env, timeoutMs: 120000 });
};

before(async () => {
  s = await TestServer.start({ env: { YADOKARI_METRICS_INTERVAL_MS: "1000" } });
});
after(async () => {
  await s?.close();
});

test("metrics: requests, 5xx and latency per release, from the router", async () => {
  const app = uniqueApp("it-metrics");
  await s.createApp(app);
  assert.equal(
    (await s.api("PATCH", `/apps/${app}/config`, { set: { FAIL_RATE: "0.1", DELAY_MS: "20" }, restart: false })).status,
    200,
  );
  const d = await s.deploy(app, FLAKY);
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  const host = `${app}.${s.domain}`;
  await waitFor("the app", async () => (await getVia(s.httpPort, host)).status !== 503);
  const load = keepAliveLoad({ port: s.httpPort, host, connections: 4, maxRequests: 400, maxMs: 30000 });
  const r = await load.done;
  assert.equal(r.sent, 400);
  const m = await waitFor(
    "the metrics to count 400 requests and 400 latency samples",
    async () => {
      const body = (await s.api("GET", `/apps/${app}/metrics?since=10m`)).body;
      // requests come from HAProxy's counters, latencies from its access log: a sample taken between a request's
      // count and its log line sees one ahead of the other, so wait for both (the next sample has them)
      const w = body.releases?.[0]?.window;
      return w?.requests >= 400 && w?.latencySamples >= 400 ? body : null;
    },
    15000,
    500,
  );
  const w = m.releases[0].window;
  assert.equal(m.releases[0].release, 1);
  assert.equal(m.releases[0].live, true);
  // the health checks of the gate come from the server, not through the router
  assert.ok(w.requests >= 400 && w.requests <= 402, JSON.stringify(w));
  assert.ok(w.errors5xx >= 39 && w.errors5xx <= 41, JSON.stringify(w));
  assert.ok(w.p95Ms >= 15 && w.p95Ms <= 80, JSON.stringify(w));
  assert.ok(w.latencySamples >= 400, JSON.stringify(w));
  const cli = await yk("metrics", "-a", app, "--since", "10m");
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /v1 \(live\)\s+1m/);
  const bad = await s.api("GET", `/apps/${app}/metrics?since=2d`);
  assert.equal(bad.status, 400);
});

/** An app of the flaky fixture with v1 live and the canary strategy set. */
async function canaryApp(prefix: string, settings: Record<string, unknown>): Promise<{ app: string; host: string }> {
  const app = uniqueApp(prefix);
  await s.createApp(app);
  const d = await s.deploy(app, FLAKY);
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  const set = await s.api("PATCH", `/apps/${app}/deploy-settings`, { strategy: "canary", ...settings });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  const host = `${app}.${s.domain}`;
  await waitFor("v1 through the router", async () => (await getVia(s.httpPort, host)).body.trim() === "ok v1");
  return { app, host };
}

/** Load that remembers which release answered each request and when. */
function trackedLoad(host: string, connections = 4) {
  const answers: { at: number; status: number; release: string }[] = [];
  const load = keepAliveLoad({
    port: s.httpPort,
    host,
    connections,
    maxRequests: 2_000_000,
    maxMs: 150_000,
    onResponse: (status, body, at) => answers.push({ at, status, release: body.trim().split(" ")[1] ?? "?" }),
  });
  return { load, answers };
}

const configChange = async (app: string, set: Record<string, string>) => {
  const r = await s.api("PATCH", `/apps/${app}/config`, { set });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.deploy.id as number;
};
const status = async (app: string) => (await s.api("GET", `/apps/${app}/deploy-status`)).body;

test("canary of a good release: each step's measured split matches its weight; 0 failed; the old release retires", async () => {
  const { app, host } = await canaryApp("it-canary", { steps: [10, 30, 60, 100], stepSec: 4 });
  const { load, answers } = trackedLoad(host);
  await new Promise((r) => setTimeout(r, 500));
  const id = await configChange(app, { MARK: "v2" });
  const d = await s.waitDeploy(app, id, 90000);
  await new Promise((r) => setTimeout(r, 500));
  const res = await load.stop();
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  assert.equal(res.failed, 0, res.failures.join("; "));
  const steps = d.steps.filter((x: any) => x.name.startsWith("canary "));
  assert.deepEqual(
    steps.map((x: any) => x.name),
    ["canary 1: 10%", "canary 2: 30%", "canary 3: 60%", "canary 4: 100%"],
  );
  const figures: string[] = [];
  for (const [i, want] of [10, 30, 60, 100].entries()) {
    // the weights move at the step's start: skip its first 300 ms (requests in flight, HAProxy applying them)
    const from = Date.parse(steps[i].startedAt) + 300;
    const to = Date.parse(steps[i].finishedAt);
    const inStep = answers.filter((a) => a.at >= from && a.at <= to);
    const share = (100 * inStep.filter((a) => a.release === "v2").length) / inStep.length;
    figures.push(`${want}%: ${share.toFixed(1)}% of ${inStep.length}`);
    assert.ok(inStep.length > 200, `step ${want}% saw only ${inStep.length} requests`);
    assert.ok(
      Math.abs(share - want) <= 3,
      `step ${want}%: v2 answered ${share.toFixed(2)}% of ${inStep.length} requests`,
    );
  }
  console.log(
    `# canary split per step (set: measured): ${figures.join(", ")}; requests ${res.sent}, failed ${res.failed}`,
  );
  const st = await status(app);
  assert.equal(st.canary.state, "succeeded");
  assert.equal(st.canary.release, 2);
  await waitFor("only v2 answering", async () => (await getVia(s.httpPort, host)).body.trim() === "ok v2");
  await waitFor(
    "the v1 container gone",
    async () => (await s.api("GET", `/apps/${app}/ps`)).body.every((c: any) => c.release === 2),
    30000,
  );
});

test("canary of a release failing 10% of requests: aborted by the numbers at the first step, the old release keeps serving", async () => {
  const { app, host } = await canaryApp("it-canbad", { steps: [20, 50, 100], stepSec: 20 });
  const { load, answers } = trackedLoad(host);
  await new Promise((r) => setTimeout(r, 500));
  const id = await configChange(app, { FAIL_RATE: "0.1" });
  const d = await s.waitDeploy(app, id, 90000);
  await new Promise((r) => setTimeout(r, 1000));
  const res = await load.stop();
  assert.equal(d.status, "failed");
  assert.match(
    d.reason,
    /canary aborted at step 1\/3 \(20%\): error rate \d+\.\d+% of the new release is above the 1% threshold/,
  );
  assert.equal(d.errorCode, "canary_aborted");
  // the abort is a plan of its own, recorded: the old weights back, the new server drained, then removed
  assert.deepEqual(d.steps.map((x: any) => `${x.name}: ${x.status}`).slice(-4), [
    "canary 1: 20%: failed",
    "abort: done",
    "drain: done",
    "remove: done",
  ]);
  // every failure came from the new release; v1 answered all along
  const failed = answers.filter((a) => a.status >= 500);
  assert.ok(failed.length > 0 && failed.every((a) => a.release === "v2"), JSON.stringify(failed.slice(0, 3)));
  assert.equal(res.failed, failed.length);
  const end = Date.parse(d.finishedAt);
  assert.ok(answers.filter((a) => a.at > end).every((a) => a.release === "v1" && a.status === 200));
  const v1Before = answers.filter((a) => a.release === "v1").length;
  assert.ok(v1Before > 0);
  console.log(`# bad canary: ${failed.length} failed of ${res.sent}, reason: ${d.reason}`);
  const st = await status(app);
  assert.equal(st.canary.state, "aborted");
  assert.equal(st.canary.weights.new, 0);
  await waitFor(
    "the v2 container removed",
    async () => (await s.api("GET", `/apps/${app}/ps`)).body.every((c: any) => c.release === 1),
    30000,
  );
  assert.equal((await s.api("GET", `/apps/${app}`)).body.liveRelease, 1);
  const cli = await yk("deploy:status", "-a", app);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /State:\s+aborted/);
});

test("pause holds the step past its duration, resume lets it go on, promote skips to 100%; status shows it all", async () => {
  const { app, host } = await canaryApp("it-canpause", { steps: [20, 50, 100], stepSec: 3 });
  const { load } = trackedLoad(host, 2);
  const id = await configChange(app, { MARK: "v2" });
  await waitFor("the first step", async () => (await status(app)).canary?.state === "running", 60000);
  const p = await yk("deploy:pause", "-a", app);
  assert.equal(p.code, 0, p.stderr);
  await new Promise((r) => setTimeout(r, 5000));
  let st = await status(app);
  assert.equal(st.canary.stepIndex, 0, "held at the first step past its 3 s");
  assert.equal(st.canary.paused, true);
  assert.equal(st.canary.nextStepInSec, null);
  assert.equal(st.deploy.status, "deploying");
  assert.ok(
    st.canary.figures.new.requests > 0 && st.canary.figures.old.requests > 0,
    JSON.stringify(st.canary.figures),
  );
  const shown = await yk("deploy:status", "-a", app);
  assert.match(shown.stdout, /State:\s+running, paused/);
  assert.match(shown.stdout, /Traffic:\s+v2 20 %, v1 80 %/);
  assert.match(shown.stdout, /v2 \(new\)/);
  assert.equal((await yk("deploy:resume", "-a", app)).code, 0);
  await waitFor("the second step", async () => (await status(app)).canary?.stepIndex === 1, 20000);
  st = await status(app);
  assert.equal(st.canary.paused, false);
  assert.ok(st.canary.nextStepInSec !== null && st.canary.nextStepInSec <= 3);
  assert.equal((await yk("deploy:pause", "-a", app)).code, 0);
  assert.equal((await yk("deploy:promote", "-a", app)).code, 0); // a promotion ends the pause too
  const d = await s.waitDeploy(app, id, 60000);
  const res = await load.stop();
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  assert.equal(res.failed, 0, res.failures.join("; "));
  const again = await s.api("POST", `/apps/${app}/deploy/pause`);
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, "no_canary");
});

test("the server killed mid-canary comes back and continues from the recorded step; HAProxy's config carries the weights", async () => {
  const { app, host } = await canaryApp("it-canrestart", { steps: [20, 100], stepSec: 6 });
  const { load } = trackedLoad(host, 2);
  const id = await configChange(app, { MARK: "v2" });
  await waitFor("the first step", async () => (await status(app)).canary?.state === "running", 60000);
  // the config HAProxy would load on a restart has the step's weights (1 new : 4 old = 20 %)
  const { readFileSync } = await import("node:fs");
  const cfg = readFileSync(join(s.dataDir, "router", "haproxy.cfg"), "utf8");
  const backend = cfg.slice(cfg.indexOf(`backend app_${app}_web`));
  assert.match(backend, /server yk-\S+-v2-\S+ \S+ weight 1 /);
  assert.match(backend, /server yk-\S+-v1-\S+ \S+ weight 4 /);
  await s.kill();
  await new Promise((r) => setTimeout(r, 1000));
  await s.spawn();
  const d = await s.waitDeploy(app, id, 60000);
  const res = await load.stop();
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  assert.equal(res.failed, 0, res.failures.join("; "));
  const log = (await s.api("GET", `/apps/${app}/deploys/${id}/log`)).body as string;
  assert.match(log, /The server restarted during canary step 1 \(20%\)/);
  assert.match(log, /Continuing the canary of v2 from step 1/);
  await waitFor("only v2 answering", async () => (await getVia(s.httpPort, host)).body.trim() === "ok v2");
});

test("HAProxy killed mid-canary comes back with the step's weights from the store", async () => {
  const { app, host } = await canaryApp("it-canhap", { steps: [25, 100], stepSec: 60 });
  const id = await configChange(app, { MARK: "v2" });
  await waitFor("the first step", async () => (await status(app)).canary?.state === "running", 60000);
  const pid = s.routerPid();
  assert.ok(pid, "router pid file");
  process.kill(pid!, "SIGKILL");
  await waitFor(
    "the router to answer again",
    async () => {
      const x = await getVia(s.httpPort, host).catch(() => null);
      return x && x.status === 200 && s.routerPid() !== pid ? x : null;
    },
    20000,
    200,
  );
  // a fresh load after the restart: the split is the step's (1 new : 3 old), not the default equal weights
  const { load, answers } = trackedLoad(host, 4);
  await new Promise((r) => setTimeout(r, 2000));
  const res = await load.stop();
  assert.equal(res.failed, 0, res.failures.join("; "));
  const share = (100 * answers.filter((a) => a.release === "v2").length) / answers.length;
  console.log(`# after an HAProxy restart at the 25% step: v2 answered ${share.toFixed(1)}% of ${answers.length}`);
  assert.ok(Math.abs(share - 25) <= 3, `v2 answered ${share.toFixed(2)}% of ${answers.length}`);
  assert.equal((await s.api("POST", `/apps/${app}/deploy/promote`)).status, 200);
  assert.equal((await s.waitDeploy(app, id, 60000)).status, "succeeded");
});

test("blue-green: the whole new set switches at once with 0 failed; rollback in the window only moves weights; the idle set goes after its time", async () => {
  const app = uniqueApp("it-bluegreen");
  await s.createApp(app);
  assert.equal((await s.api("PATCH", `/apps/${app}/formation`, { web: 2 })).status, 200);
  assert.equal((await s.deploy(app, FLAKY)).status, "succeeded");
  assert.equal(
    (await s.api("PATCH", `/apps/${app}/deploy-settings`, { strategy: "blue-green", idleSec: 600 })).status,
    200,
  );
  const host = `${app}.${s.domain}`;
  const ps = async () =>
    ((await s.api("GET", `/apps/${app}/ps`)).body as any[]).filter((c) => c.process === "web" && c.state === "running");
  await waitFor("2 v1 web containers", async () => (await ps()).length === 2);
  const { load, answers } = trackedLoad(host, 4);
  const id = await configChange(app, { MARK: "v2" });
  const d = await s.waitDeploy(app, id, 90000);
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  assert.deepEqual(
    d.steps.map((x: any) => x.name),
    ["start green", "gate green", "commit", "route green", "standby"],
  );
  await new Promise((r) => setTimeout(r, 6000)); // a reconciler pass or more: the idle set must stay
  let web = await ps();
  assert.deepEqual(web.map((c) => c.release).sort(), [1, 1, 2, 2], "the old set stays running, idle");
  assert.deepEqual(
    web.filter((c) => c.routed).map((c) => c.release),
    [2, 2],
    "only the live set takes requests",
  );
  const switchAt = Date.now();
  const rb = await yk("rollback", "-a", app);
  assert.equal(rb.code, 0, rb.stderr + rb.stdout);
  const after = await waitFor(
    "v1 answering again",
    async () => {
      const x = await getVia(s.httpPort, host);
      return x.body.trim() === "ok v1" ? Date.now() : null;
    },
    10000,
    20,
  );
  const deploys = (await s.api("GET", `/apps/${app}/deploys`)).body as any[];
  assert.deepEqual(
    deploys[0].steps.map((x: any) => x.name),
    ["switch", "commit"],
    "no container started: one router change, then the commit",
  );
  assert.equal(deploys[0].releaseVersion, 1);
  assert.equal((await s.api("GET", `/apps/${app}`)).body.liveRelease, 1);
  await new Promise((r) => setTimeout(r, 1000));
  const res = await load.stop();
  assert.equal(res.failed, 0, res.failures.join("; "));
  const v2Late = answers.filter((a) => a.at > after + 500 && a.release !== "v1");
  assert.equal(v2Late.length, 0, "every request goes to v1 after the switch");
  console.log(
    `# blue-green: ${res.sent} requests, ${res.failed} failed; rollback by weights answered v1 ${after - switchAt} ms after the command started`,
  );
  web = await ps();
  assert.deepEqual(web.map((c) => c.release).sort(), [1, 1, 2, 2], "now v2 stands by");
  // a short idle time: the standby set is retired by the reconciler when it is up
  assert.equal((await s.api("PATCH", `/apps/${app}/deploy-settings`, { idleSec: 1 })).status, 200);
  const d3 = await s.waitDeploy(app, await configChange(app, { MARK: "v3" }), 90000);
  assert.equal(d3.status, "succeeded");
  assert.match((await s.api("GET", `/apps/${app}/deploys/${d3.id}/log`)).body, /Retiring the standby web set of v2/);
  await waitFor(
    "the idle v1 set retired after its time",
    async () => ((await ps()).every((c) => c.release === 3) ? true : null),
    30000,
    500,
  );
});

/** One GET through the router with a cookie; returns the release that answered and the cookie set, if any. */
async function getWithCookie(
  host: string,
  cookie: string | null,
): Promise<{ release: string; setCookie: string | null }> {
  const http = await import("node:http");
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: "127.0.0.1",
        port: s.httpPort,
        path: "/",
        agent: false,
        headers: { host, ...(cookie ? { cookie } : {}) },
        timeout: 5000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () =>
          resolve({
            release: body.trim().split(" ")[1] ?? "?",
            setCookie: (res.headers["set-cookie"] ?? [])[0]?.split(";")[0] ?? null,
          }),
        );
      },
    );
    req.on("error", reject);
  });
}

test("sticky: during a canary each client stays on the release it first reached", async () => {
  const { app, host } = await canaryApp("it-sticky", { steps: [50, 100], stepSec: 120, sticky: true });
  const id = await configChange(app, { MARK: "v2" });
  await waitFor("the 50% step", async () => (await status(app)).canary?.state === "running", 60000);
  const firsts: string[] = [];
  const cookies: string[] = [];
  for (let client = 0; client < 16; client++) {
    const first = await getWithCookie(host, null);
    assert.ok(first.setCookie?.startsWith("YKSRV="), `a cookie for client ${client}: ${first.setCookie}`);
    firsts.push(first.release);
    cookies.push(first.setCookie!);
    for (let i = 0; i < 8; i++)
      assert.equal(
        (await getWithCookie(host, first.setCookie)).release,
        first.release,
        `client ${client}, request ${i + 2}`,
      );
  }
  assert.ok(
    firsts.includes("v1") && firsts.includes("v2"),
    `new clients split between the releases: ${firsts.join(",")}`,
  );
  assert.equal((await s.api("POST", `/apps/${app}/deploy/promote`)).status, 200);
  assert.equal((await s.waitDeploy(app, id, 60000)).status, "succeeded");
  // once the v1 server is gone, a client holding its cookie is sent to v2 and gets a new cookie
  await waitFor(
    "the v1 container gone",
    async () => (await s.api("GET", `/apps/${app}/ps`)).body.every((c: any) => c.release === 2),
    30000,
  );
  const moved = await getWithCookie(host, cookies[firsts.indexOf("v1")]);
  assert.equal(moved.release, "v2");
  assert.ok(moved.setCookie?.startsWith("YKSRV=") && moved.setCookie !== cookies[firsts.indexOf("v1")]);
});

test("the server killed mid-canary whose new containers are gone when it comes back aborts the canary: old weights back, deploy failed", async () => {
  const { app, host } = await canaryApp("it-canlost", { steps: [30, 100], stepSec: 60 });
  const id = await configChange(app, { MARK: "v2" });
  await waitFor("the first step", async () => (await status(app)).canary?.state === "running", 60000);
  await s.kill();
  for (const c of await appContainers(app))
    if (c.Labels["yadokari.release"] === "v2") await docker.getContainer(c.Id).remove({ force: true });
  await s.spawn();
  const d = await s.waitDeploy(app, id, 60000);
  assert.equal(d.status, "failed");
  assert.match(d.reason, /interrupted by a server restart during canary step 1; its new containers were gone/);
  const st = await status(app);
  assert.equal(st.canary.state, "aborted");
  assert.deepEqual(st.canary.weights.newServers, []);
  const { load, answers } = trackedLoad(host, 2);
  await new Promise((r) => setTimeout(r, 1000));
  const res = await load.stop();
  assert.equal(res.failed, 0, res.failures.join("; "));
  assert.ok(answers.length > 0 && answers.every((a) => a.release === "v1"));
  assert.equal((await s.api("GET", `/apps/${app}`)).body.liveRelease, 1);
});
