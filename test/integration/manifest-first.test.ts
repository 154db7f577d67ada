import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestServer, FIXTURES, uniqueApp } from "../helpers/yadokari.js";
import { getVia, waitFor } from "../helpers/http.js";
import { deliver, githubPush, LocalRemote } from "../helpers/git.js";
import { run } from "../../src/lib/run.js";

// Procfile and app.json are read before the build (issue 15): a bad field fails the deploy at its own step,
// `manifest`, before `build`, with the file and the path of the field; nothing is built and the live release
// keeps serving. Git push and uploads (and webhooks, which submit the same build) share the path.
let s: TestServer;
let work: string;

before(async () => {
  s = await TestServer.start({ https: false });
  work = mkdtempSync(join(tmpdir(), "yk-it-manifest-"));
});
after(async () => {
  await s?.close();
  rmSync(work, { recursive: true, force: true });
});

const git = (cwd: string, ...args: string[]) =>
  run("git", ["-c", "user.name=T", "-c", "user.email=t@yadokari.invalid", "-c", "init.defaultBranch=main", ...args], {
    cwd,
  });

// a build that would take long: a manifest error must not wait for it
const SLOW_DOCKERFILE = `FROM yadokari-local/node:20\nWORKDIR /app\nRUN sleep 20 && echo built\nCOPY . .\nCMD ["node","server.js"]\n`;

test("a bad app.json field fails a git push at step manifest, before the build, naming the field", async () => {
  const app = uniqueApp("it-mf");
  await s.createApp(app);
  assert.equal((await s.deploy(app, join(FIXTURES, "good"))).status, "succeeded");

  const repo = join(work, "repo");
  cpSync(join(FIXTURES, "good"), repo, { recursive: true });
  writeFileSync(join(repo, "Dockerfile"), SLOW_DOCKERFILE);
  writeFileSync(join(repo, "app.json"), JSON.stringify({ formation: { web: { quantity: "two" } } }));
  await git(repo, "init", "-q");
  await git(repo, "add", ".");
  await git(repo, "commit", "-q", "-m", "bad app.json");
  const push = await git(repo, "push", `http://git:${s.token}@127.0.0.1:${s.apiPort}/git/${app}.git`, "HEAD:main");
  assert.notEqual(push.code, 0);
  assert.match(push.stderr, /remote: !\s+Deploy failed: app\.json: formation\.web\.quantity: must be a whole number/);
  assert.doesNotMatch(push.stderr, /Building|built/, "nothing was built");

  const [d] = (await s.api("GET", `/apps/${app}/deploys?limit=1`)).body;
  assert.equal(d.status, "failed");
  assert.equal(d.errorCode, "invalid_manifest");
  assert.deepEqual(
    d.steps.map((st: { name: string; status: string }) => `${st.name}:${st.status}`),
    ["manifest:failed"],
  );
  assert.equal((await getVia(s.httpPort, `${app}.${s.domain}`)).body.trim(), "ok v1", "the live release keeps serving");
});

test("a bad Procfile line fails an upload at step manifest with its line number; a good one passes the step", async () => {
  const app = uniqueApp("it-mf2");
  await s.createApp(app);
  const src = join(work, "procfile-src");
  cpSync(join(FIXTURES, "procfile"), src, { recursive: true });
  const good = await s.deploy(app, src);
  assert.equal(good.status, "succeeded", JSON.stringify(good));
  assert.deepEqual(
    good.steps.slice(0, 2).map((st: { name: string; status: string }) => `${st.name}:${st.status}`),
    ["manifest:done", "build:done"],
  );
  const log = (await s.api<string>("GET", `/apps/${app}/deploys/${good.id}/log`)).body;
  assert.match(log, /-----> Procfile and app\.json checked: Procfile: web, worker and a release command/);

  writeFileSync(join(src, "Dockerfile"), SLOW_DOCKERFILE);
  writeFileSync(join(src, "Procfile"), "web: node server.js\nworker node worker.js\n");
  const bad = await s.deploy(app, src);
  assert.equal(bad.status, "failed");
  assert.equal(bad.errorCode, "invalid_manifest");
  assert.match(bad.reason, /^Procfile line 2: /);
  // a figure, not a timed assertion: the deploy's whole life, queued to failed
  console.log(
    `# a bad Procfile failed its deploy ${Date.parse(bad.finishedAt) - Date.parse(bad.createdAt)} ms after it was queued`,
  );
  assert.equal(bad.steps.length, 1);
  assert.equal(bad.steps[0].name, "manifest");
  assert.equal(bad.steps[0].status, "failed");
});

test("a webhook's deploy of a commit with a bad app.json fails at step manifest too, and the delivery says why", async () => {
  const app = uniqueApp("it-mf3");
  await s.createApp(app);
  const remote = await LocalRemote.create(join(FIXTURES, "good"));
  try {
    assert.equal((await s.api("PUT", `/apps/${app}/git`, { url: remote.bare })).status, 200);
    const secret = (await s.api("POST", `/apps/${app}/hooks/secret`, {})).body.secret as string;
    const sha = await remote.commit(
      "main",
      "app.json",
      JSON.stringify({ cron: [{ command: "x", schedule: "daily" }] }),
    );
    const r = await deliver(s.url, "github", app, githubPush("main", sha), { secret });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const d = await waitFor(
      "the webhook's deploy to end",
      async () => {
        const [last] = (await s.api("GET", `/apps/${app}/deploys?limit=1`)).body;
        return last && (last.status === "failed" || last.status === "succeeded") ? last : null;
      },
      60_000,
      200,
    );
    assert.equal(d.status, "failed");
    assert.equal(d.errorCode, "invalid_manifest");
    assert.match(d.reason, /^app\.json: cron\[0\]\.schedule: /);
    assert.deepEqual(
      d.steps.map((st: { name: string; status: string }) => `${st.name}:${st.status}`),
      ["manifest:failed"],
    );
    const outcome = await waitFor(
      "the delivery's outcome",
      async () => {
        const o = (await s.api("GET", `/apps/${app}/hooks/deliveries`)).body[0]?.outcome as string | undefined;
        return o?.startsWith("failed") ? o : null;
      },
      10_000,
      200,
    );
    assert.match(outcome, new RegExp(`^failed: deploy #1 of ${app}: app\\.json: cron\\[0\\]\\.schedule: `));
  } finally {
    remote.remove();
  }
});
