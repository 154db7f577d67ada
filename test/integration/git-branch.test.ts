import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, uniqueApp } from "../helpers/yadokari.js";
import { ykFor } from "../helpers/git.js";
import { getVia } from "../helpers/http.js";
import { run } from "../../src/lib/run.js";

// Only the app's branch deploys the app (issue 15), with real git over smart HTTP: a push of another branch is
// refused with `remote:` lines that say so while review apps are off, and makes or updates its review app when
// they are on; `yk git:branch` shows and sets the branch.
let s: TestServer;
let work: string;
let yk: ReturnType<typeof ykFor>;
const CLI = join(ROOT, "dist/src/main/cli.js");

before(async () => {
  s = await TestServer.start({ https: false });
  work = mkdtempSync(join(tmpdir(), "yk-it-branch-"));
  yk = ykFor(s, CLI);
});
after(async () => {
  await s?.close();
  rmSync(work, { recursive: true, force: true });
});

const git = (cwd: string, ...args: string[]) =>
  run("git", ["-c", "user.name=T", "-c", "user.email=t@yadokari.invalid", "-c", "init.defaultBranch=main", ...args], {
    cwd,
  });

async function commit(repo: string, body: string, message: string): Promise<void> {
  writeFileSync(
    join(repo, "server.js"),
    `require("node:http").createServer((q, r) => r.end(${JSON.stringify(body)})).listen(process.env.PORT || 5000);\n`,
  );
  await git(repo, "add", ".");
  assert.equal((await git(repo, "commit", "-q", "-m", message)).code, 0);
}

const deploysOf = async (app: string) => ((await s.api("GET", `/apps/${app}/deploys`)).body as unknown[]).length;

test("a push of another branch is refused while review apps are off; only the app's branch deploys it", async () => {
  const app = uniqueApp("it-br");
  await s.createApp(app);
  const repo = join(work, "repo");
  cpSync(join(FIXTURES, "good"), repo, { recursive: true });
  await git(repo, "init", "-q");
  await commit(repo, "main one", "first");
  const remote = `http://git:${s.token}@127.0.0.1:${s.apiPort}/git/${app}.git`;

  const shown = await yk("git:branch", "-a", app);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, new RegExp(`${app} deploys from branch main; a push of another branch is refused`));

  const refused = await git(repo, "push", remote, "HEAD:refs/heads/feature");
  assert.notEqual(refused.code, 0, "the push is rejected");
  assert.match(
    refused.stderr,
    new RegExp(`remote: !\\s+feature is not ${app}'s branch \\(main\\), and review apps are off: nothing was deployed`),
  );
  assert.match(refused.stderr, new RegExp(`remote: !\\s+Push main .*yk git:branch -a ${app} feature`));
  assert.equal(await deploysOf(app), 0, "nothing was queued");

  const main = await git(repo, "push", remote, "HEAD:refs/heads/main");
  assert.equal(main.code, 0, main.stderr);
  assert.match(main.stderr, /remote: -----> v1 is live/);
  assert.equal((await getVia(s.httpPort, `${app}.${s.domain}`)).body, "main one");

  // the app's branch moves to release: main is now the one refused
  const set = await yk("git:branch", "-a", app, "release");
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, new RegExp(`Set: ${app} deploys from branch release`));
  assert.equal((await s.api("GET", `/apps/${app}/git`)).body.branch, "release");
  await commit(repo, "release two", "second");
  const old = await git(repo, "push", remote, "HEAD:refs/heads/main");
  assert.notEqual(old.code, 0);
  assert.match(old.stderr, new RegExp(`remote: !\\s+main is not ${app}'s branch \\(release\\)`));
  const rel = await git(repo, "push", remote, "HEAD:refs/heads/release");
  assert.equal(rel.code, 0, rel.stderr);
  assert.equal((await getVia(s.httpPort, `${app}.${s.domain}`)).body, "release two");
  const bad = await yk("git:branch", "-a", app, "a..b");
  assert.notEqual(bad.code, 0);
});

test("with review apps on, a push of another branch makes and then updates its review app, not the app", async () => {
  const app = uniqueApp("it-brr");
  await s.createApp(app);
  const repo = join(work, "repo-review");
  cpSync(join(FIXTURES, "good"), repo, { recursive: true });
  await git(repo, "init", "-q");
  await commit(repo, "prod", "first");
  const remote = `http://git:${s.token}@127.0.0.1:${s.apiPort}/git/${app}.git`;
  assert.equal((await git(repo, "push", remote, "HEAD:refs/heads/main")).code, 0);
  assert.equal((await s.api("POST", `/apps/${app}/review-apps/enable`, {})).status, 200);
  assert.match((await yk("git:branch", "-a", app)).stdout, /a push of another branch deploys that branch's review app/);

  await git(repo, "checkout", "-q", "-b", "feature");
  await commit(repo, "feature one", "feature");
  const push = await git(repo, "push", remote, "HEAD:refs/heads/feature");
  assert.equal(push.code, 0, push.stderr);
  const list = (await s.api("GET", `/apps/${app}/review-apps`)).body as { apps: { app: string; branch: string }[] };
  assert.equal(list.apps.length, 1);
  const review = list.apps[0].app;
  s.apps.add(review);
  assert.equal(list.apps[0].branch, "feature");
  assert.match(
    push.stderr,
    new RegExp(`remote: -----> feature is not ${app}'s branch: deploying it to its review app ${review}`),
  );
  assert.match(push.stderr, /remote: -----> v1 is live/);
  assert.equal((await getVia(s.httpPort, `feature.${app}.${s.domain}`)).body, "feature one");
  assert.equal((await getVia(s.httpPort, `${app}.${s.domain}`)).body, "prod", "the app itself is untouched");

  await commit(repo, "feature two", "feature again");
  const again = await git(repo, "push", remote, "HEAD:refs/heads/feature");
  assert.equal(again.code, 0, again.stderr);
  assert.equal((await getVia(s.httpPort, `feature.${app}.${s.domain}`)).body, "feature two");
  assert.equal(((await s.api("GET", `/apps/${app}/review-apps`)).body as { apps: unknown[] }).apps.length, 1);
  assert.equal(await deploysOf(app), 1, "only main's push deployed the app");
});
