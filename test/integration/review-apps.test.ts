import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, appContainers, uniqueApp } from "../helpers/yadokari.js";
import { getVia, waitFor } from "../helpers/http.js";
import { LocalRemote, deliver, git, githubDelete, githubPush, ykFor } from "../helpers/git.js";
import { run } from "../../src/lib/run.js";

let s: TestServer;
let remote: LocalRemote;
let secret = "";
const app = uniqueApp("it-rev");
const CLI = join(ROOT, "dist/src/main/cli.js");
const CANARY = `/tmp/yk-pwned-${process.pid}`;
const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const yk = (...args: string[]) => ykFor(s, CLI)(...args);
const reviewApps = async () => {
  const list = (await s.api("GET", `/apps/${app}/review-apps`)).body.apps as any[];
  for (const r of list) s.apps.add(r.app); // close() removes their leftovers too
  return list;
};
const deliveries = async () => (await s.api("GET", `/apps/${app}/hooks/deliveries`)).body as any[];
const outcomeOf = (id: string) =>
  waitFor(
    `delivery ${id} to finish`,
    async () => {
      const d = (await deliveries()).find((x) => x.deliveryId === id);
      return d && /^(deployed|failed|ignored|review app .* destroyed)/.test(d.outcome) ? d.outcome : null;
    },
    120000,
    200,
  );
const hostOf = (r: any) => `${r.slug}.${app}.${s.domain}`;

before(async () => {
  rmSync(CANARY, { force: true });
  s = await TestServer.start({ env: { YADOKARI_REVIEW_CLEANUP_MS: "1000" } });
  await s.createApp(app);
  remote = await LocalRemote.create(join(FIXTURES, "env"));
  assert.equal((await yk("git:connect", "-a", app, remote.bare)).code, 0);
  assert.equal(
    (await s.api("PATCH", `/apps/${app}/config`, { set: { FOO: "from-parent", BAR: "parent-bar" }, restart: false }))
      .status,
    200,
  );
  assert.equal((await yk("git:deploy", "-a", app)).code, 0);
  secret = (await yk("hooks:secret", "-a", app)).stdout.trimEnd().split("\n").at(-1)!;
  const en = await yk("review-apps:enable", "-a", app, "--ttl", "1d");
  assert.equal(en.code, 0, en.stderr);
  const cfg = await yk("review-apps:config:set", "-a", app, "BAR=review-bar");
  assert.equal(cfg.code, 0, cfg.stderr);
});
after(async () => {
  await s?.close();
  remote?.remove();
  rmSync(CANARY, { force: true });
});

test("a signed GitHub push of a feature branch brings up a review app at its own hostname; the branch-delete payload removes it", async () => {
  const sha = await remote.commit("feature/login-form", "FEATURE.txt", "login");
  const r = await deliver(s.url, "github", app, githubPush("feature/login-form", sha), { secret });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.match(await outcomeOf(r.body.delivery), /^deployed /);
  const [ra] = await reviewApps();
  assert.equal(ra.branch, "feature/login-form");
  assert.equal(ra.slug, "feature-login-form");
  assert.equal(ra.commit, sha);
  assert.ok(ra.app.length <= 30 && ra.app.startsWith(`${app.slice(0, 10)}`), ra.app);
  const res = await getVia(s.httpPort, hostOf(ra));
  assert.equal(res.status, 200);
  assert.equal(res.body.trim(), "ok v1");
  console.log(`# review app ${ra.app} answers at http://${hostOf(ra)}/: ${res.body.trim()}`);
  assert.equal((await getVia(s.httpPort, hostOf(ra), "/env/FOO")).body, "from-parent", "inherits the parent's config");
  assert.equal((await getVia(s.httpPort, hostOf(ra), "/env/BAR")).body, "review-bar", "review overrides win");
  assert.equal((await s.api("GET", `/apps/${ra.app}`)).body.formation.web, 1);
  // one URL form everywhere: the review app list, the app itself, its deploys
  const shown = `http://${hostOf(ra)}:${s.httpPort}/`;
  assert.equal(ra.url, shown);
  assert.deepEqual((await s.api("GET", `/apps/${ra.app}`)).body.urls, [shown]);
  for (const d of (await s.api("GET", `/apps/${ra.app}/deploys`)).body) assert.deepEqual(d.urls, [shown]);
  assert.equal((await getVia(s.httpPort, `${app}.${s.domain}`)).body.trim(), "ok v1", "the parent is untouched");

  const list = await yk("apps");
  assert.match(list.stdout, new RegExp(`${ra.app} .*${app} \\(feature/login-form\\)`));
  assert.ok(list.stdout.includes(shown) && !list.stdout.includes(`${ra.app}.${s.domain}`), list.stdout);
  const rl = await yk("review-apps", "-a", app);
  assert.match(rl.stdout, /feature\/login-form/);

  await remote.deleteBranch("feature/login-form");
  const del = await deliver(s.url, "github", app, githubDelete("feature/login-form"), { secret });
  assert.equal(del.status, 202);
  assert.match(await outcomeOf(del.body.delivery), /^review app .* destroyed/);
  assert.equal((await s.api("GET", `/apps/${ra.app}`)).status, 404);
  assert.equal((await appContainers(ra.app)).length, 0, "its containers are gone");
  assert.equal((await getVia(s.httpPort, hostOf(ra))).status, 404, "and its route");
  assert.deepEqual(await reviewApps(), []);
});

test("hostile branch names are refused, or slugged safely; nothing runs on the host", async () => {
  const sha = await remote.head("main");
  const refused = [
    `main;touch ${CANARY}`,
    `--upload-pack=touch ${CANARY}`,
    `$(touch ${CANARY})`,
    "a".repeat(300),
    "x..y",
    "-x",
    "a\nb",
  ];
  for (const b of refused) {
    const r = await deliver(s.url, "github", app, githubPush(b, sha), { secret });
    assert.equal(r.status, 422, `${JSON.stringify(b)}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, "invalid_ref");
  }
  const viaApi = await s.api("POST", `/apps/${app}/review-apps`, { branch: `--upload-pack=touch ${CANARY}` });
  assert.equal(viaApi.status, 422);
  // Names git accepts: shell syntax and unicode are only characters to slug.
  const accepted = ["$(id)", "x;touch${IFS}" + CANARY, "機能/ünï"];
  for (const b of accepted) {
    const c = await remote.commit(b, "FEATURE.txt", b);
    const r = await deliver(s.url, "github", app, githubPush(b, c), { secret });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.match(await outcomeOf(r.body.delivery), /^deployed /, b);
  }
  const list = await reviewApps();
  assert.deepEqual(list.map((r) => r.branch).sort(), [...accepted].sort());
  for (const r of list) {
    assert.match(r.slug, LABEL);
    assert.ok(r.slug.length <= 40);
    assert.equal((await getVia(s.httpPort, hostOf(r))).body.trim(), "ok v1", r.branch);
  }
  assert.equal(list.find((r) => r.branch === "$(id)").slug, "id");
  console.log(`# hostile branches slugged: ${list.map((r) => `${JSON.stringify(r.branch)} → ${r.slug}`).join(", ")}`);
  assert.ok(!existsSync(CANARY), `${CANARY} must not exist`);
  assert.ok(!existsSync("x"), "no file named x in the test's directory");
});

test("two branches colliding on one slug get two review apps (review-apps:create, the route for CI without webhooks)", async () => {
  await remote.commit("feature/a", "A.txt", "1");
  await remote.commit("feature_a", "A.txt", "2");
  const first = await yk("review-apps:create", "-a", app, "feature/a");
  assert.equal(first.code, 0, first.stderr + first.stdout);
  const second = await yk("review-apps:create", "-a", app, "feature_a");
  assert.equal(second.code, 0, second.stderr + second.stdout);
  const list = await reviewApps();
  const a = list.find((r) => r.branch === "feature/a");
  const b = list.find((r) => r.branch === "feature_a");
  assert.equal(a.slug, "feature-a");
  assert.match(b.slug, /^feature-a-[0-9a-f]{6}$/);
  assert.notEqual(a.app, b.app);
  assert.equal((await getVia(s.httpPort, hostOf(a))).status, 200);
  assert.equal((await getVia(s.httpPort, hostOf(b))).status, 200);
  // An update keeps the slug.
  const sha = await remote.commit("feature_a", "A.txt", "3");
  const again = await s.api("POST", `/apps/${app}/review-apps`, { branch: "feature_a" });
  assert.equal(again.status, 202, JSON.stringify(again.body));
  assert.equal(again.body.reviewApp.slug, b.slug);
  assert.equal((await s.waitDeploy(b.app, again.body.deploy.id)).status, "succeeded");
  assert.equal((await reviewApps()).find((r) => r.branch === "feature_a").commit, sha);
  const destroyed = await yk("review-apps:destroy", "-a", app, "feature/a");
  assert.equal(destroyed.code, 0, destroyed.stderr);
  assert.ok(!(await reviewApps()).some((r) => r.branch === "feature/a"));
});

test("with the delete webhooks missed, the TTL cleanup destroys every expired review app", async () => {
  const left = await reviewApps();
  assert.ok(left.length >= 3, `review apps left: ${left.length}`);
  // No webhook says these branches are gone; a short TTL and the 1 s cleanup must remove them all.
  const t0 = Date.now();
  const en = await yk("review-apps:enable", "-a", app, "--ttl", "3s");
  assert.equal(en.code, 0, en.stderr);
  // The records go first, then the routes, containers and images (Apps.destroy).
  const gone = async () => {
    if ((await reviewApps()).length) return false;
    for (const r of left) if ((await appContainers(r.app)).length) return false;
    return true;
  };
  await waitFor("the cleanup to destroy the review apps and their containers", gone, 30000, 250);
  const took = Date.now() - t0;
  console.log(
    `# TTL 3s, cleanup every 1s: ${left.length} review apps and their containers gone ${took} ms after the TTL was set`,
  );
  for (const r of left) assert.equal((await s.api("GET", `/apps/${r.app}`)).status, 404);
  assert.equal((await getVia(s.httpPort, `${app}.${s.domain}`)).body.trim(), "ok v1", "the parent keeps running");
});

test("git refuses the same names the server refuses", async () => {
  for (const b of ["a..b", "-x", "a b"]) {
    const r = await run("git", ["check-ref-format", "--branch", b], {});
    assert.notEqual(r.code, 0, b);
  }
  assert.equal(await git(remote.work, "check-ref-format", "--branch", "$(id)"), "$(id)");
});
