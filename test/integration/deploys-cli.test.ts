import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, uniqueApp } from "../helpers/yadokari.js";
import { ykFor } from "../helpers/git.js";
import { run } from "../../src/lib/run.js";

// Deploys you did not start (issue 15): a git push's deploy is found, listed and followed from another terminal
// with `yk deploys`, `yk deploys:info` and `yk deploys:log -f`, by its number among the app's deploys.
let s: TestServer;
let work: string;
let yk: ReturnType<typeof ykFor>;
const CLI = join(ROOT, "dist/src/main/cli.js");

before(async () => {
  s = await TestServer.start({ https: false });
  work = mkdtempSync(join(tmpdir(), "yk-it-deploys-"));
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

async function waitForDeploy(app: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const list = (await s.api<unknown[]>("GET", `/apps/${app}/deploys`)).body;
    if (Array.isArray(list) && list.length > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no deploy of ${app} appeared`);
}

test("a git push's deploy is followed from another terminal with yk deploys:log -f, and listed by number", async () => {
  const app = uniqueApp("it-dl");
  const other = uniqueApp("it-dl2");
  await s.createApp(app);
  await s.createApp(other);
  // the other app deploys first: numbers are per app, so app's first deploy is still #1
  assert.equal((await s.deploy(other, join(FIXTURES, "good"))).status, "succeeded");

  const repo = join(work, "repo");
  cpSync(join(FIXTURES, "good"), repo, { recursive: true });
  // a build that takes a moment, so the follower joins a deploy that is queued or running
  writeFileSync(
    join(repo, "Dockerfile"),
    `FROM yadokari-local/node:20\nWORKDIR /app\nRUN sleep 2 && echo built-slowly\nCOPY server.js .\nCMD ["node","server.js"]\n`,
  );
  await git(repo, "init", "-q");
  await git(repo, "add", ".");
  assert.equal((await git(repo, "commit", "-q", "-m", "first")).code, 0);
  const sha = (await git(repo, "rev-parse", "HEAD")).stdout.trim();
  const push = git(repo, "push", `http://git:${s.token}@127.0.0.1:${s.apiPort}/git/${app}.git`, "HEAD:refs/heads/main");
  await waitForDeploy(app);
  const followed = await yk("deploys:log", "-a", app, "-f");
  assert.equal(followed.code, 0, followed.stdout + followed.stderr);
  assert.match(
    followed.stdout,
    new RegExp(`^Deploy #1 of ${app} \\((queued|building|deploying), git main@${sha.slice(0, 7)}, by admin\\)`),
  );
  assert.match(followed.stdout, /built-slowly/);
  assert.match(followed.stdout, /-----> v1 is live at http:\/\//);
  assert.match(followed.stdout, /Deploy #1 succeeded: v1 is live\n$/);
  assert.equal((await push).code, 0);

  // a second deploy, from an upload as the UI makes: #2
  assert.equal((await s.deploy(app, repo)).status, "succeeded");
  const list = await yk("deploys", "-a", app);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^#2\s+succeeded\s+v2\s+tar\s+admin\s/m);
  assert.match(list.stdout, new RegExp(`^#1\\s+succeeded\\s+v1\\s+git main@${sha.slice(0, 7)}\\s+admin\\s`, "m"));
  const page = await yk("deploys", "-a", app, "--limit", "1");
  assert.match(page.stdout, /^#2\s/m);
  assert.doesNotMatch(page.stdout, /^#1\s/m);
  assert.match(page.stdout, new RegExp(`Older deploys: yk deploys -a ${app} --before 2`));
  const older = await yk("deploys", "-a", app, "--before", "2");
  assert.match(older.stdout, /^#1\s+succeeded/m);
  assert.doesNotMatch(older.stdout, /^#2\s/m);

  const info = await yk("deploys:info", "-a", app, "1");
  assert.equal(info.code, 0, info.stderr);
  assert.match(info.stdout, new RegExp(`^Deploy: +#1 of ${app}$`, "m"));
  assert.match(info.stdout, new RegExp(`^Commit: +${sha}$`, "m"));
  assert.match(info.stdout, /^Started by: +admin$/m);
  assert.match(info.stdout, /^build\s+done\s/m);
  const log = await yk("deploys:log", "-a", app, "1");
  assert.match(log.stdout, /built-slowly/);

  // the other app's deploy is its own #1; a number the app does not have is a clear error
  assert.match((await yk("deploys", "-a", other)).stdout, /^#1\s+succeeded/m);
  const missing = await yk("deploys:info", "-a", app, "9");
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, new RegExp(`no deploy #9 for app ${app}`));
  assert.match(missing.stderr, new RegExp(`yk deploys -a ${app}`));
});
