import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
