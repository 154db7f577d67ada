import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { seededApi, SECRET, type Seeded } from "./testing/seeded.js";
import { LIMITS } from "./body-limit.js";

/**
 * How the API answers requests that do not fit: malformed ones are
 * `400 invalid_request` naming the bad field, well-formed ones that break a
 * rule keep their own code, unknown fields are refused, bodies past the
 * route's limit are refused before they are read whole, and unknown errors
 * are an opaque 500 with a request id that is in the log.
 */
let s: Seeded;
before(async () => {
  s = await seededApi();
});
after(() => s.close());

type ErrorJson = { error: { code: string; message: string; hint: string; details?: { issues?: string[] } } };
const send = async (method: string, path: string, body?: unknown, token?: string) => {
  const r = await s.request(method, path, { body, token });
  return { status: r.status, body: (await r.json()) as ErrorJson & Record<string, unknown>, headers: r.headers };
};

test("a malformed body is 400 invalid_request with the path of the bad field", async () => {
  const scale = await send("PATCH", "/api/v1/apps/shop/formation", { web: -1 });
  assert.equal(scale.status, 400);
  assert.equal(scale.body.error.code, "invalid_request");
  assert.equal(scale.body.error.message, "body.web: expected an integer ≥ 0");

  const restart = await send("PATCH", "/api/v1/apps/shop", { webReplicas: "two" });
  assert.equal(restart.body.error.message, "body.webReplicas: expected an integer");

  const missing = await send("POST", "/api/v1/apps/shop/domains", {});
  assert.equal(missing.status, 400);
  assert.equal(missing.body.error.message, "body.hostname: is required");

  const run = await send("POST", "/api/v1/apps/shop/runs", { command: ["ls", 3] });
  assert.equal(run.body.error.message, "body.command[1]: expected a string");

  const settings = await send("PATCH", "/api/v1/apps/shop/deploy-settings", { strategy: "yolo" });
  assert.equal(settings.body.error.message, 'body.strategy: expected one of "rolling", "canary", "blue-green"');
});

test("ps:restart takes a process type, null or nothing: anything else is a 400 and queues nothing", async () => {
  const deploys = s.services.ctx.store.listDeploys("shop", 100).length;
  for (const type of [5, true, ["web"], { web: 1 }, ""]) {
    const r = await send("POST", "/api/v1/apps/shop/ps/restart", { type });
    assert.equal(r.status, 400, `type ${JSON.stringify(type)}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, "invalid_request");
    assert.match(r.body.error.message, /^body\.type: /);
  }
  const unknown = await send("POST", "/api/v1/apps/shop/ps/restart", { type: "clock" });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.error.message, /process type 'clock' is not in the live release v1/);
  assert.equal(s.services.ctx.store.listDeploys("shop", 100).length, deploys, "no restart was queued");
});

test("a failed deploy's stable error code is in GET …/deploys/{id}; a superseded one names its successor", async () => {
  const store = s.services.ctx.store;
  const intent = { changes: [], description: "Deploy" };
  const failed = store.createDeploy({ app: "blog", source: "tar", commit: null, ref: null, actor: "admin", intent });
  store.finishDeploy(failed.id, "failed", { code: "health_check_failed", reason: "a test", containerLog: null });
  const f = await send("GET", `/api/v1/apps/blog/deploys/${failed.id}`);
  assert.equal(f.status, 200, JSON.stringify(f.body));
  assert.equal(f.body.status, "failed");
  assert.equal(f.body.errorCode, "health_check_failed");
  assert.equal(f.body.supersededBy, null);
  const older = store.createDeploy({ app: "blog", source: "tar", commit: null, ref: null, actor: "admin", intent });
  const newer = store.createDeploy({ app: "blog", source: "tar", commit: null, ref: null, actor: "admin", intent });
  store.supersede([older.id], newer.id);
  const o = await send("GET", `/api/v1/apps/blog/deploys/${older.id}`);
  assert.equal(o.status, 200, JSON.stringify(o.body));
  assert.equal(o.body.status, "superseded");
  assert.equal(o.body.supersededBy, newer.id);
  assert.equal(o.body.errorCode, null);
  store.supersede([newer.id], newer.id); // leave no queued deploy behind (nothing runs them here)
  const ok = await send("GET", `/api/v1/apps/shop/deploys/${s.ids.deploy}`);
  assert.equal(ok.body.errorCode, null);
});

test("unknown fields are refused everywhere: bodies, nested objects, queries, and routes that take no body", async () => {
  const stop = await send("POST", "/api/v1/apps/shop/ps/stop", { now: true });
  assert.equal(stop.status, 400);
  assert.equal(stop.body.error.message, "body: this route takes no body");
  assert.equal((await send("POST", "/api/v1/apps/blog/deploy/pause", {})).status, 409, "{} is no body");
  const body = await send("POST", "/api/v1/apps", { name: "new-one", stack: "heroku-22" });
  assert.equal(body.status, 400);
  assert.equal(body.body.error.message, "body.stack: is not a field of this request");
  const nested = await send("POST", "/api/v1/session", { email: "a@b.c", password: "x", extra: 1 });
  assert.equal(nested.status, 400);
  const query = await s.request("GET", "/api/v1/apps/shop/logs?tail=5&colour=1");
  assert.equal(query.status, 400);
  assert.equal(((await query.json()) as ErrorJson).error.message, "query.colour: is not a field of this request");
  assert.equal((await s.request("GET", "/api/v1/apps/shop/logs?tail=5")).status, 200);
  // several problems at once are all listed
  const many = await send("POST", "/api/v1/users", { email: 1, role: "root", x: 1 });
  assert.deepEqual(many.body.error.details?.issues, [
    "body.email: expected a string",
    'body.role: expected one of "admin", "deployer", "viewer"',
    "body.x: is not a field of this request",
  ]);
});

test("a well-formed request that breaks a rule keeps the rule's code: 422 invalid_name, invalid_domain, invalid_ref", async () => {
  const name = await send("POST", "/api/v1/apps", { name: "Shop_1" });
  assert.equal(name.status, 422);
  assert.equal(name.body.error.code, "invalid_name");
  assert.match(
    name.body.error.message,
    /^body\.name: invalid app name "Shop_1": an app name must be a lowercase DNS label/,
  );
  const path = await send("GET", "/api/v1/apps/Shop_1");
  assert.equal(path.status, 422);
  assert.match(path.body.error.message, /^path\.app: invalid app name/);
  const domain = await send("POST", "/api/v1/apps/shop/domains", { hostname: "bad host" });
  assert.equal(domain.body.error.code, "invalid_domain");
  const branch = await send("POST", "/api/v1/apps/shop/git/deploy", { branch: "-x" });
  assert.equal(branch.body.error.code, "invalid_ref");
  const key = await send("PATCH", "/api/v1/apps/shop/config", { set: { "1BAD": "v" } });
  assert.equal(key.status, 400);
  assert.match(key.body.error.message, /^body\.set\["1BAD"\]: invalid config var name "1BAD"/);
  assert.match(key.body.error.hint, /POSIX/);
  // the change's own rules stay in the domain module: nothing to change
  const empty = await send("PATCH", "/api/v1/apps/shop/config", {});
  assert.equal(empty.status, 400);
  assert.match(empty.body.error.message, /sets and unsets nothing/);
});

test("messages name the field, never the value sent (it may be a secret)", async () => {
  const value = await send("PATCH", "/api/v1/apps/shop/config", { set: { TOKEN: "a\u0000" + SECRET.config } });
  assert.equal(value.status, 400);
  assert.equal(JSON.stringify(value.body).includes(SECRET.config), false);
  assert.match(value.body.error.message, /TOKEN contains a NUL/);
  const password = await send("POST", "/api/v1/session", { email: "dev@example.com", password: 12 });
  assert.equal(password.body.error.message, "body.password: expected a string");
});

test("bodies that are not JSON, or not JSON at all, are refused clearly", async () => {
  const notJson = await s.request("POST", "/api/v1/apps", {
    body: undefined,
    headers: { "content-type": "application/json" },
  });
  assert.equal(notJson.status, 400, "a missing body is checked against the schema");
  const broken = await s.api.request("/api/v1/apps", {
    method: "POST",
    headers: { authorization: `Bearer ${s.tokens.admin}`, "content-type": "application/json" },
    body: "{not json",
  });
  assert.equal(broken.status, 400);
  assert.equal(((await broken.json()) as ErrorJson).error.message, "body: is not valid JSON");
  const form = await s.api.request("/api/v1/apps", {
    method: "POST",
    headers: { authorization: `Bearer ${s.tokens.admin}`, "content-type": "application/x-www-form-urlencoded" },
    body: "name=x",
  });
  assert.equal(form.status, 415);
  assert.equal(((await form.json()) as ErrorJson).error.code, "unsupported_media_type");
});

/** A body of `total` bytes produced on demand, counting what the server pulled. */
function countingBody(total: number) {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const seen = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.pulled >= total) return controller.close();
      seen.pulled += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { stream, seen };
}

test("an unauthenticated 400 MiB login body is refused at the route's limit, without reading the rest", async () => {
  const { stream, seen } = countingBody(400 * 1024 * 1024);
  const before = process.memoryUsage().rss;
  const r = await s.api.request("/api/v1/session", {
    method: "POST",
    headers: { "content-type": "application/json" }, // no Content-Length: the chunked case
    body: stream,
    duplex: "half",
  } as RequestInit);
  assert.equal(r.status, 413);
  const e = (await r.json()) as ErrorJson;
  assert.equal(e.error.code, "payload_too_large");
  assert.match(e.error.message, /larger than 16 KiB/);
  assert.equal(r.headers.get("connection"), "close");
  // the stream may be a chunk or two ahead of the reader; never the 400 MiB
  assert.ok(seen.pulled <= LIMITS.login + 4 * 64 * 1024, `${seen.pulled} bytes pulled`);
  assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, "memory stayed bounded");
});

test("a declared Content-Length past the limit is refused before a byte is read; authenticated routes check the token first", async () => {
  const { stream, seen } = countingBody(10 * 1024 * 1024);
  const r = await s.api.request("/api/v1/apps/shop/config", {
    method: "PATCH",
    headers: {
      authorization: `Bearer ${s.tokens.admin}`,
      "content-type": "application/json",
      "content-length": String(10 * 1024 * 1024),
    },
    body: stream,
    duplex: "half",
  } as RequestInit);
  assert.equal(r.status, 413);
  assert.ok(seen.pulled <= 2 * 64 * 1024, `${seen.pulled} bytes pulled`);
  const anonymous = countingBody(10 * 1024 * 1024);
  const refused = await s.api.request("/api/v1/apps/shop/config", {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: anonymous.stream,
    duplex: "half",
  } as RequestInit);
  assert.equal(refused.status, 401);
  assert.ok(anonymous.seen.pulled <= 2 * 64 * 1024, "nothing read before authentication");
  // a config change within the route's larger limit passes
  const big = await send("PATCH", "/api/v1/apps/shop/config", { set: { BIG: "x".repeat(60 * 1024) }, restart: false });
  assert.equal(big.status, 200);
});

test("a build upload past the server's limit is refused while streaming", async () => {
  const { stream, seen } = countingBody(8 * 1024 * 1024);
  const r = await s.api.request("/api/v1/apps/shop/builds", {
    method: "POST",
    headers: { authorization: `Bearer ${s.tokens.admin}`, "content-type": "application/gzip" },
    body: stream,
    duplex: "half",
  } as RequestInit);
  assert.equal(r.status, 413);
  assert.match(((await r.json()) as ErrorJson).error.message, /build context is larger than 1 MiB/);
  assert.ok(seen.pulled <= s.services.maxUploadBytes + 4 * 64 * 1024, `${seen.pulled} bytes pulled`);
});

test("browser sessions: cookie flags, CSRF on changes, other origins refused, logout ends the session", async () => {
  const login = await s.api.request("/api/v1/session", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "root@example.com", password: SECRET.password }),
  });
  assert.equal(login.status, 201);
  const { csrf } = (await login.json()) as { csrf: string };
  const setCookie = login.headers.get("set-cookie") ?? "";
  assert.match(setCookie, /yk_session=[^;]+;.*HttpOnly/i);
  assert.match(setCookie, /SameSite=Lax/i);
  const cookie = setCookie.split(";")[0];
  const change = (headers: Record<string, string>) =>
    s.api.request("/api/v1/apps/shop/domains", {
      method: "POST",
      headers: { cookie, "content-type": "application/json", host: "localhost", ...headers },
      body: JSON.stringify({ hostname: "csrf.shop.example" }),
    });
  const none = await change({});
  assert.equal(none.status, 403);
  assert.equal(((await none.json()) as ErrorJson).error.code, "csrf_failed");
  assert.equal((await change({ "x-csrf-token": "x".repeat(csrf.length) })).status, 403);
  assert.equal((await change({ "x-csrf-token": csrf, origin: "http://evil.example" })).status, 403);
  const good = await change({ "x-csrf-token": csrf, origin: "http://localhost" });
  assert.equal(good.status, 201);
  const me = await s.api.request("/api/v1/me", { headers: { cookie } });
  assert.equal(((await me.json()) as { csrf: string }).csrf, csrf);
  const out = await s.api.request("/api/v1/session", { method: "DELETE", headers: { cookie, "x-csrf-token": csrf } });
  assert.equal(out.status, 200);
  assert.equal((await s.api.request("/api/v1/me", { headers: { cookie } })).status, 401);
});

test("failed logins are rate limited per account and address; logins and changes are audited without secrets", async () => {
  const login = (password: string) => send("POST", "/api/v1/session", { email: "viewer@example.com", password });
  for (let i = 0; i < 5; i++) assert.equal((await login("not the password")).status, 401);
  const locked = await login(SECRET.password);
  assert.equal(locked.status, 429);
  assert.ok((locked.body.error.details as { retryAfterSec: number }).retryAfterSec > 0);
  const set = await send(
    "PATCH",
    "/api/v1/apps/shop/config",
    { set: { T: SECRET.config }, restart: false },
    s.tokens.deployerShop,
  );
  assert.equal(set.status, 200);
  const audit = await s.request("GET", "/api/v1/audit?app=shop&limit=1000");
  const text = await audit.text();
  const entries = JSON.parse(text) as { actor: string; action: string; app: string | null; ok: boolean }[];
  assert.ok(
    entries.some((e) => e.actor === "dev@example.com" && e.action === "PATCH /api/v1/apps/shop/config" && e.ok),
  );
  assert.equal(text.includes(SECRET.config) || text.includes(SECRET.password), false);
  const all = await (await s.request("GET", "/api/v1/audit?limit=1000")).text();
  assert.match(all, /"actor":"viewer@example.com","action":"POST \/api\/v1\/session","app":null/);
});

test("personal tokens: the secret is shown once, revoked tokens stop working; the bootstrap token has none", async () => {
  const created = await send("POST", "/api/v1/tokens", { name: "ci" }, s.tokens.deployerShop);
  assert.equal(created.status, 201);
  const secret = created.body.token as string;
  assert.match(secret, /^ykp_/);
  const list = await (await s.request("GET", "/api/v1/tokens", { token: secret })).text();
  assert.equal(list.includes(secret), false);
  assert.equal((await send("DELETE", `/api/v1/tokens/${created.body.id}`, undefined, secret)).status, 200);
  assert.equal((await s.request("GET", "/api/v1/me", { token: secret })).status, 401);
  const bootstrap = await send("POST", "/api/v1/tokens", {}, s.tokens.admin);
  assert.equal(bootstrap.status, 403);
  const badId = await send("DELETE", "/api/v1/tokens/0", undefined, s.tokens.deployerShop);
  assert.equal(badId.status, 400);
  assert.equal(badId.body.error.message, "path.id: expected a positive whole number");
});

test("an unknown error is an opaque 500 with a request id; the log line about it carries the same id", async () => {
  const original = s.services.ctx.store.listDeploys;
  s.services.ctx.store.listDeploys = () => {
    throw new Error("disk on fire at /var/lib/secret-path");
  };
  try {
    const r = await s.request("GET", "/api/v1/apps/shop/deploys", { headers: { "x-request-id": "req-42" } });
    assert.equal(r.status, 500);
    assert.equal(r.headers.get("x-request-id"), "req-42");
    const e = (await r.json()) as ErrorJson;
    assert.equal(e.error.code, "internal");
    assert.equal(e.error.message, "internal error (request id req-42)");
    const line = s.logs.entries.find((l) => l.requestId === "req-42" && l.level === "error");
    assert.ok(line, "logged with the request id");
    assert.match(String(line.err), /disk on fire/);
  } finally {
    s.services.ctx.store.listDeploys = original;
  }
  const ok = await s.request("GET", "/api/v1/apps/shop");
  assert.match(ok.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/, "every answer has a request id");
});

test("an unknown route is 404 with a pointer to the document", async () => {
  const r = await send("GET", "/api/v1/nothing-here");
  assert.equal(r.status, 404);
  assert.match(r.body.error.hint, /openapi\.json/);
});
