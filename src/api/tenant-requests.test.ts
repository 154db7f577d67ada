import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { seededApi, SECRET, type Seeded } from "./testing/seeded.js";

/**
 * The tenant-isolation rules of issue 11 that the API itself enforces, in
 * the schema pattern (src/api/route.ts): malformed values are 400
 * invalid_request naming the field, well-formed ones that break a rule keep
 * their code (422 invalid_mount, invalid_repo_url, quota_exceeded…), and the
 * events stream authenticates with the guard's own authenticate() at every
 * tick. The attacks through a real server are in test/security/.
 */
let s: Seeded;
before(async () => {
  s = await seededApi();
});
after(() => s.close());

type ErrorJson = { error: { code: string; message: string } };
const send = async (method: string, path: string, body?: unknown, token?: string) => {
  const r = await s.request(method, path, { body, token });
  return { status: r.status, body: (await r.json()) as ErrorJson & Record<string, unknown> };
};

test("a new password revokes the user's API tokens unless keepTokens; keepTokens is true or false", async () => {
  const bad = await send("PATCH", "/api/v1/users/viewer@example.com", { password: "x".repeat(16), keepTokens: "yes" });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.message, "body.keepTokens: expected true or false");
  assert.equal((await s.request("GET", "/api/v1/me", { token: s.tokens.viewerShop })).status, 200, "nothing changed");

  const kept = await send("PATCH", "/api/v1/users/viewer@example.com", {
    password: "a-new-password-1",
    keepTokens: true,
  });
  assert.equal(kept.status, 200);
  assert.equal(kept.body.tokensRevoked, 0);
  assert.equal((await s.request("GET", "/api/v1/me", { token: s.tokens.viewerShop })).status, 200);

  const changed = await send("PATCH", "/api/v1/users/viewer@example.com", { password: "another-password-2" });
  assert.equal(changed.status, 200);
  assert.equal(changed.body.tokensRevoked, 1);
  assert.equal(changed.body.email, "viewer@example.com");
  assert.equal((await s.request("GET", "/api/v1/me", { token: s.tokens.viewerShop })).status, 401);
});

test("token names start with a letter or digit; grants name apps that exist", async () => {
  for (const name of ["-rf", ".hidden", " x", ""]) {
    const r = await send("POST", "/api/v1/tokens", { name }, s.tokens.adminUser);
    assert.equal(r.status, 400, name);
    assert.match(r.body.error.message, /^body\.name: expected 1 to 64 letters/);
  }
  assert.equal((await send("POST", "/api/v1/tokens", { name: "ci 1" }, s.tokens.adminUser)).status, 201);
  const login = await send("POST", "/api/v1/session", {
    email: "root@example.com",
    password: SECRET.password,
    token: "--upload-pack",
  });
  assert.equal(login.status, 400);

  const grant = await send("POST", "/api/v1/users", { email: "new@example.com", role: "viewer", apps: ["later"] });
  assert.equal(grant.status, 422);
  assert.equal(grant.body.error.code, "invalid_user");
  assert.match(grant.body.error.message, /no app named later/);
});

test("storage: only an admin shares, an app mounts its own directory, and the container path is a rule", async () => {
  const shared = await send(
    "POST",
    "/api/v1/apps/shop/storage",
    { source: "blog-data", containerPath: "/blog", shared: true },
    s.tokens.deployerShop,
  );
  assert.equal(shared.status, 403);
  assert.match(shared.body.error.message, /only an admin can share storage/);

  const root = s.services.storageRoots[0];
  const other = await send(
    "POST",
    "/api/v1/apps/shop/storage",
    { source: `${root}/blog/files`, containerPath: "/files" },
    s.tokens.deployerShop,
  );
  assert.equal(other.status, 422);
  assert.equal(other.body.error.code, "invalid_mount");
  assert.match(other.body.error.message, /not in shop's own directory/);

  const relative = await send("POST", "/api/v1/apps/shop/storage", { source: "v1", containerPath: "data" });
  assert.equal(relative.status, 422);
  assert.equal(relative.body.error.code, "invalid_mount");
  assert.match(relative.body.error.message, /^body\.containerPath: /);
  const unmount = await send("DELETE", "/api/v1/apps/shop/storage?path=..%2Fetc");
  assert.equal(unmount.status, 422);
  assert.match(unmount.body.error.message, /^query\.path: /);
  const flag = await send("POST", "/api/v1/apps/shop/storage", { source: "v1", containerPath: "/v", shared: 1 });
  assert.equal(flag.status, 400);
  assert.equal(flag.body.error.message, "body.shared: expected true or false");

  const own = await send("POST", "/api/v1/apps/shop/storage", {
    source: `${root}/shop/files`,
    containerPath: "/files",
  });
  assert.equal(own.status, 201);
  const nested = await send("POST", "/api/v1/apps/shop/storage", {
    source: `${root}/shop/files/inner`,
    containerPath: "/inner",
  });
  assert.equal(nested.status, 422);
  assert.match(nested.body.error.message, /may not be nested/);
});

test("git:connect: a local path is an admin's, never the data dir, never '/'", async () => {
  const local = await send(
    "PUT",
    "/api/v1/apps/shop/git",
    { url: "/srv/repos/shop.git", branch: "main" },
    s.tokens.deployerShop,
  );
  assert.equal(local.status, 403);
  assert.match(local.body.error.message, /needs the admin role/);
  const slash = await send("PUT", "/api/v1/apps/shop/git", { url: "/" });
  assert.equal(slash.status, 422);
  assert.equal(slash.body.error.code, "invalid_repo_url");
  assert.match(slash.body.error.message, /^body\.url: /);
  const dataDir = s.services.ctx.dataDir;
  const inside = await send("PUT", "/api/v1/apps/shop/git", { url: `${dataDir}/git/blog.git` });
  assert.equal(inside.status, 422);
  assert.match(inside.body.error.message, /inside the server's data dir/);
  const branch = await send("PUT", "/api/v1/apps/shop/git", { url: "https://git.example/a.git", branch: "ma\u202ein" });
  assert.equal(branch.status, 422);
  assert.equal(branch.body.error.code, "invalid_ref");
});

test("values taken loosely before are refused: null TTLs, empty windows, process types and flags", async () => {
  const ttl = await send("POST", "/api/v1/apps/shop/review-apps/enable", { ttl: null });
  assert.equal(ttl.status, 400);
  assert.match(ttl.body.error.message, /^body\.ttl: /);
  assert.equal((await send("GET", "/api/v1/apps/shop/metrics?since=")).status, 400);
  const proc = await send("GET", "/api/v1/apps/shop/logs?process=-web");
  assert.equal(proc.status, 400);
  assert.match(proc.body.error.message, /^query\.process: /);
  assert.equal((await send("GET", "/api/v1/apps/shop/logs?follow=yes")).status, 400);
  assert.equal((await send("GET", "/api/v1/audit?limit=0x10")).status, 400);
  const rotate = await send("POST", "/api/v1/apps/shop/hooks/secret", { rotate: "true" });
  assert.equal(rotate.status, 400);
  const missing = await send("GET", `/api/v1/${"x".repeat(10_000)}`);
  assert.equal(missing.status, 404);
  assert.ok(missing.body.error.message.length < 300, "a 404 does not echo a 10,000-character path");
});

test("quotas: config vars and mounts past the server's limits are 422 quota_exceeded, naming the setting", async () => {
  const quotas = s.services.ctx.quotas;
  s.services.ctx.quotas = { ...quotas, configVars: 2, mounts: 2 };
  try {
    const vars = await send("PATCH", "/api/v1/apps/blog/config", { set: { A: "1", B: "2" }, restart: false });
    assert.equal(vars.status, 422);
    assert.equal(vars.body.error.code, "quota_exceeded");
    assert.match(
      vars.body.error.message,
      /blog would have 3 config vars; an app may have at most 2 \(YADOKARI_MAX_CONFIG_VARS\)/,
    );
    assert.equal((await send("PATCH", "/api/v1/apps/blog/config", { set: { A: "1" }, restart: false })).status, 200);
    const review = await send("PATCH", "/api/v1/apps/shop/review-apps/config", { set: { X: "1", Y: "2" } });
    assert.equal(review.status, 422);
    assert.equal(review.body.error.code, "quota_exceeded");
    for (const n of [1, 2])
      assert.equal(
        (await send("POST", "/api/v1/apps/blog/storage", { source: `blog-v${n}`, containerPath: `/v${n}` })).status,
        201,
      );
    const third = await send("POST", "/api/v1/apps/blog/storage", { source: "blog-v3", containerPath: "/v3" });
    assert.equal(third.status, 422);
    assert.match(third.body.error.message, /YADOKARI_MAX_MOUNTS/);
  } finally {
    s.services.ctx.quotas = quotas;
  }
});

test("the events stream asks the guard's authenticate() again at every tick: a revoked token ends it", async () => {
  const made = await send("POST", "/api/v1/tokens", { name: "stream" }, s.tokens.adminUser);
  const token = made.body.token as string;
  const r = await s.request("GET", "/api/v1/events", { token });
  assert.equal(r.status, 200);
  const reader = r.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  assert.match(first, /^event: apps/);
  assert.equal(
    (await send("DELETE", `/api/v1/tokens/${made.body.id as number}`, undefined, s.tokens.adminUser)).status,
    200,
  );
  // the next tick (50 ms here) finds no principal and ends the stream
  const ended = await Promise.race([
    (async () => {
      for (;;) if ((await reader.read()).done) return true;
    })(),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), 3000)),
  ]);
  assert.equal(ended, true, "the stream ended after the token was revoked");
});
