import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, uniqueApp } from "../helpers/yadokari.js";
import { getVia } from "../helpers/http.js";
import { run } from "../../src/lib/run.js";

let s: TestServer;
let work: string;
const gitApp = uniqueApp("it-git");
const cliApp = uniqueApp("it-cli");
const CLI = join(ROOT, "dist/src/main/cli.js");

before(async () => {
  s = await TestServer.start();
  work = mkdtempSync(join(tmpdir(), "yk-it-src-"));
});
after(async () => {
  await s?.close();
  rmSync(work, { recursive: true, force: true });
});

const git = (cwd: string, ...args: string[]) =>
  run(
    "git",
    [
      "-c",
      "user.name=Yadokari Test",
      "-c",
      "user.email=test@yadokari.invalid",
      "-c",
      "init.defaultBranch=main",
      ...args,
    ],
    { cwd },
  );

test("git push deploys the pushed branch, streams remote: lines, and a failed deploy rejects the push", async () => {
  await s.createApp(gitApp);
  const repo = join(work, "repo");
  cpSync(join(FIXTURES, "good"), repo, { recursive: true });
  // a build step that prints colours and blank lines, as npm and friends do
  writeFileSync(
    join(repo, "Dockerfile"),
    `FROM yadokari-local/node:20\nWORKDIR /app\nRUN printf '\\033[32mcoloured\\033[0m\\n\\n\\ndone\\n'\nCOPY server.js .\nCMD ["node","server.js"]\n`,
  );
  assert.equal((await git(repo, "init", "-q")).code, 0);
  await git(repo, "add", ".");
  assert.equal((await git(repo, "commit", "-q", "-m", "first")).code, 0);
  const remote = `http://git:${s.token}@127.0.0.1:${s.apiPort}/git/${gitApp}.git`;
  const push = await git(repo, "push", remote, "HEAD:refs/heads/main");
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stderr, /remote: -----> v1 is live at http:\/\//);
  // build logs are plain text: no escape codes, no empty remote: lines (git pads each line with spaces)
  assert.match(push.stderr, /^remote: +coloured\s*$/m);
  assert.doesNotMatch(push.stderr, /\x1b/);
  assert.doesNotMatch(push.stderr, /^remote:\s*$/m);
  const sha = (await git(repo, "rev-parse", "HEAD")).stdout.trim();
  const rel = (await s.api("GET", `/apps/${gitApp}/releases`)).body[0];
  assert.equal(rel.image, `yadokari/${gitApp}:${sha}`);
  assert.equal((await getVia(s.httpPort, `${gitApp}.${s.domain}`)).body.trim(), "ok v1");
  // the push is in the audit log in words, under the pusher's name
  const audit = (await s.api("GET", `/audit?app=${gitApp}`)).body as { actor: string; summary: string }[];
  assert.ok(
    audit.some((e) => e.actor === "admin" && e.summary === `deployed v1 of ${gitApp} from git main@${sha.slice(0, 7)}`),
    JSON.stringify(audit.slice(0, 5)),
  );

  // a broken commit: the push fails, the branch does not move, v1 keeps serving
  cpSync(join(FIXTURES, "unhealthy"), repo, { recursive: true });
  await git(repo, "add", ".");
  await git(repo, "commit", "-q", "-m", "broken");
  const bad = await git(repo, "push", remote, "HEAD:refs/heads/main");
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /remote: !\s+Deploy failed/);
  assert.equal((await getVia(s.httpPort, `${gitApp}.${s.domain}`)).body.trim(), "ok v1");

  const wrong = await git(
    repo,
    "push",
    `http://git:wrong@127.0.0.1:${s.apiPort}/git/${gitApp}.git`,
    "HEAD:refs/heads/main",
  );
  assert.notEqual(wrong.code, 0);
});

test("yk deploy exits 0 only when live and prints the URL; errors print once with a hint", async () => {
  const env = { ...process.env, YADOKARI_URL: s.url, YADOKARI_TOKEN: s.token, YADOKARI_CONFIG: join(work, "cli.json") };
  const create = await run(process.execPath, [CLI, "apps:create", cliApp], { env });
  s.apps.add(cliApp);
  assert.equal(create.code, 0, create.stderr);
  const src = join(work, "cli-src");
  cpSync(join(FIXTURES, "good"), src, { recursive: true });
  writeFileSync(join(src, ".dockerignore"), "secret.txt\n");
  writeFileSync(join(src, "secret.txt"), "do not send");
  const ok = await run(process.execPath, [CLI, "deploy", "-a", cliApp, src], { env, timeoutMs: 120000 });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /Live at http:\/\/.+/);
  assert.equal((await getVia(s.httpPort, `${cliApp}.${s.domain}`)).body.trim(), "ok v1");

  const bad = await run(process.execPath, [CLI, "deploy", "-a", cliApp, join(FIXTURES, "never-listens")], {
    env: { ...env },
    timeoutMs: 150000,
  });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /nothing listens on port 5000/);
  assert.doesNotMatch(bad.stderr, /at .*\.js:\d+/, "no stack trace without --debug");

  const invalid = await run(process.execPath, [CLI, "apps:create", "No_Such"], { env });
  assert.notEqual(invalid.code, 0);
  assert.match(invalid.stderr, /lowercase DNS label/);

  const list = await run(process.execPath, [CLI, "apps", "--json"], { env });
  assert.ok((JSON.parse(list.stdout) as { name: string }[]).some((a) => a.name === cliApp));
});

test("yk git:remote: git push asks yk for the user's token, and .git/config holds none", async () => {
  const app = uniqueApp("it-remote");
  await s.createApp(app);
  // a user of their own, logged in as README's quick start says: the token is in yk's config, nowhere else
  const password = `pw-${Date.now()}-remote-test`;
  assert.equal((await s.api("POST", "/users", { email: "dev@example.com", role: "admin", password })).status, 201);
  const home = join(work, "remote-home");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    YADOKARI_CONFIG: join(home, "yk.json"),
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
  };
  delete env.YADOKARI_TOKEN;
  delete env.YADOKARI_URL;
  const login = await run(
    process.execPath,
    [CLI, "login", "--url", s.url, "--email", "dev@example.com", "--password-stdin"],
    { env, input: `${password}\n` },
  );
  assert.equal(login.code, 0, login.stderr);
  const repo = join(work, "remote-repo");
  cpSync(join(FIXTURES, "good"), repo, { recursive: true });
  const g = (...args: string[]) =>
    run("git", ["-c", "user.name=T", "-c", "user.email=t@example.com", ...args], { cwd: repo, env, timeoutMs: 180000 });
  assert.equal((await g("init", "-q", "-b", "main")).code, 0);
  await g("add", ".");
  await g("commit", "-q", "-m", "first");

  const added = await run(process.execPath, [CLI, "git:remote", "-a", app], { cwd: repo, env });
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stdout, /Added the git remote yadokari: http:\/\/127\.0\.0\.1:\d+\/git\/.+\.git/);
  const push = await g("push", "yadokari", "main");
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stderr, /remote: -----> v1 is live at http:\/\//);
  assert.equal((await getVia(s.httpPort, `${app}.${s.domain}`)).body.trim(), "ok v1");

  const config = readFileSync(join(repo, ".git", "config"), "utf8");
  const token = (JSON.parse(readFileSync(join(home, "yk.json"), "utf8")) as { token: string }).token;
  assert.ok(token.length > 20);
  assert.equal(config.includes(token), false, "no token in .git/config");
  assert.equal(config.includes(s.token), false, "no admin token in .git/config");
  assert.match(
    config,
    /\[credential "http:\/\/127\.0\.0\.1:\d+\/git\/.+\.git"\]\n\thelper = \n\thelper = !.+ git:credential/,
  );
  // running it again updates, and leaves one helper
  const again = await run(process.execPath, [CLI, "git:remote", "-a", app], { cwd: repo, env });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(readFileSync(join(repo, ".git", "config"), "utf8").match(/git:credential/g)?.length, 1);
});
