import { test } from "node:test";
import assert from "node:assert/strict";
import { authorize } from "./policy.js";
import type { Principal, Role } from "./types.js";

const who = (role: Role, apps: string[] | "*" = [], userId: number | null = 1): Principal => ({
  userId,
  name: "x@example.com",
  role,
  allApps: apps === "*",
  apps: new Set(apps === "*" ? [] : apps),
  via: "token",
});
const code = (p: Principal, m: string, path: string) => {
  const d = authorize(p, m, path);
  return d.allow ? 200 : d.status;
};

test("admins may do everything, including users, audit and install-wide config", () => {
  const a = who("admin");
  for (const [m, path] of [
    ["POST", "/api/v1/users"],
    ["GET", "/api/v1/audit"],
    ["POST", "/api/v1/config/rotate-key"],
    ["DELETE", "/api/v1/apps/web"],
    ["POST", "/api/v1/apps"],
  ])
    assert.equal(code(a, m, path), 200, `${m} ${path}`);
});

test("a deployer changes granted apps only; other apps look absent; no users, no app creation without all apps", () => {
  const d = who("deployer", ["web"]);
  assert.equal(code(d, "POST", "/api/v1/apps/web/config"), 200);
  assert.equal(code(d, "POST", "/api/v1/apps/web/builds"), 200);
  assert.equal(code(d, "GET", "/api/v1/apps/web/config/SECRET"), 200);
  assert.equal(code(d, "POST", "/api/v1/apps/other/config"), 404);
  assert.equal(code(d, "GET", "/api/v1/apps/other"), 404);
  assert.equal(code(d, "DELETE", "/api/v1/apps/web"), 403);
  assert.equal(code(d, "POST", "/api/v1/apps"), 403);
  assert.equal(code(who("deployer", "*"), "POST", "/api/v1/apps"), 200);
  assert.equal(code(who("deployer", "*"), "POST", "/api/v1/apps/anything/config"), 200);
  assert.equal(code(d, "GET", "/api/v1/users"), 403);
  assert.equal(code(d, "GET", "/api/v1/audit"), 403);
  assert.equal(code(d, "POST", "/api/v1/config/rotate-key"), 403);
});

test("a viewer reads granted apps, never config values, never changes or runs anything", () => {
  const v = who("viewer", ["web"]);
  assert.equal(code(v, "GET", "/api/v1/apps/web"), 200);
  assert.equal(code(v, "GET", "/api/v1/apps/web/config"), 200, "the route masks the values");
  assert.equal(code(v, "GET", "/api/v1/apps/web/config/KEY"), 403);
  assert.equal(code(v, "GET", "/api/v1/apps/web/runs/abc/attach"), 403);
  for (const m of ["POST", "PUT", "PATCH", "DELETE"]) assert.equal(code(v, m, "/api/v1/apps/web/domains"), 403, m);
  assert.equal(code(v, "GET", "/api/v1/apps/db"), 404);
});

test("paths are decoded before matching: an encoded app name is the same app; unknown areas are admins' only", () => {
  const d = who("deployer", ["web"]);
  assert.equal(code(d, "POST", "/api/v1/apps/w%65b/config"), 200);
  assert.equal(code(d, "POST", "/api/v1/apps/%2e%2e/config"), 404);
  assert.equal(code(d, "GET", "/api/v1/something-new"), 403);
  assert.equal(code(d, "GET", "/api/v1/apps/web/"), 200);
});

test("everyone reaches their own session and tokens; the bootstrap token cannot mint personal tokens", () => {
  assert.equal(code(who("viewer"), "POST", "/api/v1/tokens"), 200);
  assert.equal(code(who("viewer"), "DELETE", "/api/v1/session"), 200);
  assert.equal(code(who("admin", [], null), "POST", "/api/v1/tokens"), 403);
  assert.equal(code(who("admin", [], null), "GET", "/api/v1/tokens"), 200);
});

test("a grant on an app covers its review apps", () => {
  const d = { ...who("deployer", ["web"]), parentOf: (a: string) => (a.startsWith("web-") ? "web" : null) };
  assert.equal(code(d, "POST", "/api/v1/apps/web-feature-x/config"), 200);
  assert.equal(code(d, "GET", "/api/v1/apps/api-feature-x"), 404);
});

test("the hint of a refusal says what would help: admin for admin-only areas, deployer for a viewer's change", () => {
  const hint = (p: Principal, m: string, path: string) => {
    const d = authorize(p, m, path);
    return d.allow ? "" : (d.hint ?? "");
  };
  for (const role of ["viewer", "deployer"] as const) {
    const h = hint(who(role, ["web"]), "GET", "/api/v1/users");
    assert.match(h, /--role admin/, role);
    assert.doesNotMatch(h, /--role deployer/, role);
  }
  assert.match(hint(who("viewer", ["web"]), "POST", "/api/v1/apps/web/config"), /--role deployer --apps web/);
  assert.match(hint(who("deployer", ["web"]), "DELETE", "/api/v1/apps/web"), /yk apps:destroy web --confirm web/);
  assert.match(hint(who("deployer", ["web"]), "POST", "/api/v1/apps"), /--apps "\*"/);
});
