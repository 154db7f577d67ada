import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { TestServer, ROOT, uniqueApp } from "../helpers/yadokari.js";
import { run } from "../../src/lib/run.js";

/**
 * Accounts against a real server: users and roles, personal tokens, browser
 * sessions with CSRF, the login rate limit, the audit log, and a walk of
 * every route in the OpenAPI document with callers who must be refused.
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

/** Every path and method of the OpenAPI document, with its parameters filled in for `app`. */
async function routes(app: string): Promise<{ method: string; path: string; public: boolean }[]> {
  const doc = (await call("GET", "/api/openapi.json")).body as {
    paths: Record<string, Record<string, { security?: unknown[] }>>;
  };
  const fill: Record<string, string> = {
    app,
    email: "viewer@example.com",
    hostname: `www.${app}.test`,
    job: "nightly",
    key: "SECRET",
    version: "1",
  };
  const out = [];
  for (const [template, ops] of Object.entries(doc.paths)) {
    const path = template.replace(/\{(\w+)\}/g, (_m, p: string) =>
      p === "id" ? (template.includes("/runs/") ? "f".repeat(64) : "1") : (fill[p] ?? "x"),
    );
    for (const [method, op] of Object.entries(ops)) {
      if (method === "parameters") continue;
      out.push({ method: method.toUpperCase(), path, public: Array.isArray(op.security) && op.security.length === 0 });
    }
  }
  return out;
}

test("route walk: no token → 401, a viewer's change → 403, a deployer of another app → 403/404; never a 2xx", async () => {
  const walk = await routes(mine);
  assert.ok(walk.length > 40, `the document lists the routes (${walk.length})`);
  const wrong: string[] = [];
  const expect = (who: string, method: string, path: string, r: { status: number; body: any }, statuses: number[]) => {
    const codeOk = { 401: "unauthorized", 403: "forbidden", 404: "not_found" } as Record<number, string>;
    if (!statuses.includes(r.status) || r.body?.error?.code !== codeOk[r.status])
      wrong.push(`${who} ${method} ${path} → ${r.status} ${JSON.stringify(r.body).slice(0, 120)}`);
  };
  let checked = 0;
  for (const { method, path, public: isPublic } of walk) {
    if (isPublic) continue;
    const body = method === "GET" || method === "HEAD" ? undefined : {};
    expect("anonymous", method, path, await call(method, path, { body }), [401]);
    expect("bad token", method, path, await call(method, path, { token: "yk_not-a-token", body }), [401]);
    const appScoped = path.startsWith(`/api/v1/apps/${mine}`);
    const reads = method === "GET";
    // a deployer of another app: this app does not exist for them; admin areas are forbidden
    if (appScoped)
      expect("other-app deployer", method, path, await call(method, path, { token: tokens.deployer, body }), [404]);
    else if (/^\/api\/v1\/(users|audit|config)/.test(path))
      expect("other-app deployer", method, path, await call(method, path, { token: tokens.deployer, body }), [403]);
    // a viewer: every change refused; reading config values and attaching refused too
    if (!reads && path !== "/api/v1/session" && !path.startsWith("/api/v1/tokens"))
      expect("viewer", method, path, await call(method, path, { token: tokens.viewer, body }), [403]);
    if (reads && (/\/config\/SECRET$/.test(path) || /\/attach$/.test(path) || /^\/api\/v1\/(users|audit)/.test(path)))
      expect("viewer", method, path, await call(method, path, { token: tokens.viewer }), [403]);
    checked++;
  }
  assert.deepEqual(wrong, []);
  console.log(`# route walk: ${checked} routes checked against 4 kinds of caller`);
  // nothing changed: both apps are there, the users are as they were
  assert.equal((await s.api("GET", `/apps/${mine}`)).status, 200);
  assert.equal((await s.api("GET", "/users")).body.length, 3);
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

test("browser sessions: HttpOnly SameSite=Lax cookie, CSRF token required for changes, other origins refused, logout ends it", async () => {
  const login = await call("POST", "/api/v1/session", { body: { email: "admin2@example.com", password: PASSWORD } });
  assert.equal(login.status, 201);
  const setCookie = login.headers.get("set-cookie") ?? "";
  assert.match(setCookie, /yk_session=[^;]+;/);
  assert.match(setCookie, /HttpOnly/i);
  assert.match(setCookie, /SameSite=Lax/i);
  assert.doesNotMatch(setCookie, /Secure/i, "plain HTTP here");
  const cookie = setCookie.split(";")[0];
  const me = await call("GET", "/api/v1/me", { cookie });
  assert.equal(me.body.name, "admin2@example.com");
  assert.equal(me.body.csrf, login.body.csrf);

  const domain = { hostname: `csrf.${mine}.test` };
  const noCsrf = await call("POST", `/api/v1/apps/${mine}/domains`, { cookie, body: domain });
  assert.equal(noCsrf.status, 403);
  assert.equal(noCsrf.body.error.code, "csrf_failed");
  const wrongCsrf = await call("POST", `/api/v1/apps/${mine}/domains`, {
    cookie,
    csrf: "x".repeat(login.body.csrf.length),
    body: domain,
  });
  assert.equal(wrongCsrf.status, 403);
  const evil = await call("POST", `/api/v1/apps/${mine}/domains`, {
    cookie,
    csrf: login.body.csrf,
    origin: "http://evil.example",
    body: domain,
  });
  assert.equal(evil.status, 403);
  assert.equal(evil.headers.get("access-control-allow-origin"), null, "no CORS");
  assert.equal(evil.headers.get("access-control-allow-credentials"), null);
  const good = await call("POST", `/api/v1/apps/${mine}/domains`, {
    cookie,
    csrf: login.body.csrf,
    origin: s.url,
    body: domain,
  });
  assert.equal(good.status, 201, JSON.stringify(good.body));

  const out = await call("DELETE", "/api/v1/session", { cookie, csrf: login.body.csrf });
  assert.equal(out.status, 200);
  assert.equal((await call("GET", "/api/v1/me", { cookie })).status, 401);
});

test("failed logins are rate limited; the audit log records who did what, never a secret", async () => {
  for (let i = 0; i < 5; i++)
    assert.equal(
      (await call("POST", "/api/v1/session", { body: { email: "viewer@example.com", password: "not the password" } }))
        .status,
      401,
    );
  const locked = await call("POST", "/api/v1/session", { body: { email: "viewer@example.com", password: PASSWORD } });
  assert.equal(locked.status, 429);
  assert.equal(locked.body.error.code, "too_many_attempts");
  assert.ok(locked.body.error.details.retryAfterSec > 0);

  // a deployer's change, then the log as the admin sees it through the CLI
  const set = await call("PATCH", `/api/v1/apps/${other}/config`, {
    token: tokens.deployer,
    body: { set: { TOKEN: SECRET }, restart: false },
  });
  assert.equal(set.status, 200);
  const entries = (await s.api("GET", "/audit?limit=1000")).body as {
    actor: string;
    action: string;
    app: string | null;
    ip: string;
    ok: boolean;
    status: number;
  }[];
  assert.ok(
    entries.some(
      (e) =>
        e.actor === "deployer@example.com" &&
        e.action === `PATCH /api/v1/apps/${other}/config` &&
        e.app === other &&
        e.ok &&
        e.ip.includes("127.0.0.1"),
    ),
  );
  assert.ok(
    entries.some((e) => e.actor === "viewer@example.com" && e.action.startsWith("POST") && !e.ok && e.status === 403),
    "refused changes are recorded",
  );
  assert.ok(
    entries.some((e) => e.actor === "viewer@example.com" && e.action === "POST /api/v1/session" && !e.ok),
    "failed logins are recorded",
  );
  const cli = await yk(["audit", "-a", other], s.token);
  assert.equal(cli.code, 0, cli.stderr);
  // in words: the var's name, never its value
  assert.match(cli.stdout, new RegExp(`deployer@example\\.com\\s+set config vars TOKEN on ${other}`));
  assert.ok(
    entries.some((e) => (e as { summary?: string }).summary === `set config vars TOKEN on ${other}`),
    "the API has the words too",
  );
  // paging back: the entries before the newest one
  const [newest, second] = entries;
  const page = (await s.api("GET", `/audit?limit=1&before=${(newest as { id?: number }).id}`)).body;
  assert.equal(page.length, 1);
  assert.equal(page[0].id, (second as { id?: number }).id);
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
