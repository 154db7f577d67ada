import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { TestServer, ROOT, uniqueApp } from "../helpers/yadokari.js";
import { run } from "../../src/lib/run.js";

/**
 * Accounts against a real server, through the CLI and git: users made with
 * the bootstrap token, what each role sees in yk and git, the audit log,
 * personal tokens. The API's own rules (the walk of every route with callers
 * who must be refused, sessions and CSRF, the login rate limit) need no
 * Docker: src/api/authz.test.ts and src/api/requests.test.ts, in process.
 */
let s: TestServer;
const mine = uniqueApp("it-acct-a");
const other = uniqueApp("it-acct-b");
const CLI = join(ROOT, "dist/src/main/cli.js");
const SECRET = `sk-${randomBytes(12).toString("hex")}`;
const PASSWORD = `pw-${randomBytes(9).toString("base64url")}`;
const tokens: Record<string, string> = {};

async function call(
  method: string,
  path: string,
  opts: { token?: string | null; cookie?: string; csrf?: string; origin?: string; body?: unknown } = {},
) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.csrf) headers["x-csrf-token"] = opts.csrf;
  if (opts.origin) headers.origin = opts.origin;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const r = await fetch(`${s.url}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await r.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* text */
  }
  return { status: r.status, body, headers: r.headers };
}

const yk = (args: string[], token: string, input?: string) =>
  run(process.execPath, [CLI, ...args], {
    env: { ...process.env, YADOKARI_URL: s.url, YADOKARI_TOKEN: token, YADOKARI_CONFIG: join(s.dataDir, "cli.json") },
    input,
    timeoutMs: 60000,
  });

before(async () => {
  s = await TestServer.start();
  await s.createApp(mine);
  await s.createApp(other);
  // the first users are made with the bootstrap admin token, through the CLI
  for (const [email, role, apps] of [
    ["viewer@example.com", "viewer", mine],
    ["deployer@example.com", "deployer", other],
    ["admin2@example.com", "admin", ""],
  ]) {
    const r = await yk(
      ["users:add", email, "--role", role, ...(apps ? ["--apps", apps] : []), "--password-stdin"],
      s.token,
      PASSWORD + "\n",
    );
    assert.equal(r.code, 0, r.stderr);
    const login = await call("POST", "/api/v1/session", { body: { email, password: PASSWORD, token: "it" } });
    assert.equal(login.status, 201, JSON.stringify(login.body));
    tokens[role] = login.body.token;
  }
  assert.equal((await s.api("PATCH", `/apps/${mine}/config`, { set: { SECRET }, restart: false })).status, 200);
});

after(async () => {
  await s?.close();
});

test("what each role sees: a filtered app list, config keys without values for viewers, who it is", async () => {
  const list = await call("GET", "/api/v1/apps", { token: tokens.viewer });
  assert.deepEqual(
    list.body.map((a: { name: string }) => a.name),
    [mine],
  );
  const deployerList = await call("GET", "/api/v1/apps", { token: tokens.deployer });
  assert.deepEqual(
    deployerList.body.map((a: { name: string }) => a.name),
    [other],
  );
  const cfg = await call("GET", `/api/v1/apps/${mine}/config`, { token: tokens.viewer });
  assert.deepEqual(cfg.body, { SECRET: null });
  const shown = await yk(["config", "-a", mine], tokens.viewer);
  assert.match(shown.stdout, /SECRET:\s+\(hidden/);
  assert.equal(shown.stdout.includes(SECRET), false);
  assert.match(
    (await yk(["whoami"], tokens.deployer)).stdout,
    new RegExp(`deployer@example.com \\(deployer; apps: ${other}\\)`),
  );
  // promotion names its target in the body: the target must be the caller's too
  const promote = await call("POST", `/api/v1/apps/${other}/promote`, { token: tokens.deployer, body: { to: mine } });
  assert.equal(promote.status, 404);
  assert.equal(promote.body.error.message, `${mine} does not exist`);
  // git: a viewer may fetch but not push; another app's deployer does not see the repository
  const basic = (t: string) => `Basic ${Buffer.from(`git:${t}`).toString("base64")}`;
  const push = await fetch(`${s.url}/git/${mine}.git/info/refs?service=git-receive-pack`, {
    headers: { authorization: basic(tokens.viewer) },
  });
  assert.equal(push.status, 403);
  const fetchOther = await fetch(`${s.url}/git/${mine}.git/info/refs?service=git-upload-pack`, {
    headers: { authorization: basic(tokens.deployer) },
  });
  assert.equal(fetchOther.status, 404);
  const fetchMine = await fetch(`${s.url}/git/${mine}.git/info/refs?service=git-upload-pack`, {
    headers: { authorization: basic(tokens.viewer) },
  });
  assert.equal(fetchMine.status, 200);
});

test("the audit log through the CLI: who changed what, never a secret; viewers cannot read it", async () => {
  const set = await call("PATCH", `/api/v1/apps/${other}/config`, {
    token: tokens.deployer,
    body: { set: { TOKEN: SECRET }, restart: false },
  });
  assert.equal(set.status, 200);
  const cli = await yk(["audit", "-a", other], s.token);
  assert.equal(cli.code, 0, cli.stderr);
  // in words: the var's name, never its value
  assert.match(cli.stdout, new RegExp(`deployer@example\\.com\\s+set config vars TOKEN on ${other}`));
  assert.equal(cli.stdout.includes(SECRET), false);
  const entries = (await s.api("GET", "/audit?limit=1000")).body as { id: number; summary: string }[];
  assert.ok(
    entries.some((e) => e.summary === `set config vars TOKEN on ${other}`),
    "the API has the words too",
  );
  // paging back: the entries before the newest one
  const [newest, second] = entries;
  const page = (await s.api("GET", `/audit?limit=1&before=${newest.id}`)).body;
  assert.equal(page.length, 1);
  assert.equal(page[0].id, second.id);
  assert.equal(
    JSON.stringify(entries).includes(SECRET) || JSON.stringify(entries).includes(PASSWORD),
    false,
    "no secret in the audit log",
  );
  const refused = await yk(["audit"], tokens.viewer);
  assert.equal(refused.code, 1, "viewers cannot read the audit log");
  // the hint helps: an admin-only command needs an admin, not the deployer role
  assert.match(refused.stderr, /Hint: Only an admin can do this.*--role admin/);
  assert.doesNotMatch(refused.stderr, /--role deployer/);
});

test("personal tokens: created once, listed without the secret, revoked; removing a user ends their access", async () => {
  const created = await yk(["tokens:create", "--name", "ci"], tokens.deployer);
  assert.equal(created.code, 0, created.stderr);
  const secret = created.stdout.trim().split("\n").at(-1)!;
  assert.match(secret, /^ykp_/);
  const list = await yk(["tokens", "--json"], secret);
  assert.equal(list.stdout.includes(secret), false);
  const id = (JSON.parse(list.stdout) as { id: number; name: string }[]).find((t) => t.name === "ci")!.id;
  assert.equal((await yk(["tokens:revoke", String(id)], secret)).code, 0);
  assert.equal((await call("GET", "/api/v1/me", { token: secret })).status, 401);
  assert.equal((await yk(["tokens:create"], s.token)).code, 1, "the bootstrap token owns no personal tokens");

  const removed = await yk(["users:remove", "deployer@example.com", "--confirm", "deployer@example.com"], tokens.admin);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal((await call("GET", "/api/v1/me", { token: tokens.deployer })).status, 401);
});
