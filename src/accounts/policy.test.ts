import { test } from "node:test";
import assert from "node:assert/strict";
import { access, decide, type Access } from "./policy.js";
import type { Principal, Role } from "./types.js";

const who = (role: Role, apps: string[] | "*" = [], userId: number | null = 1): Principal => ({
  userId,
  name: "x@example.com",
  role,
  allApps: apps === "*",
  apps: new Set(apps === "*" ? [] : apps),
  via: "token",
});
const code = (p: Principal, a: Access, app?: string) => {
  const d = decide(p, a, app);
  return d.allow ? 200 : d.status;
};

test("admins may do everything, including users, audit and install-wide config", () => {
  const a = who("admin");
  for (const x of [access.admin(), access.createApp(), access.user({ personal: true })])
    assert.equal(code(a, x), 200, x.kind);
  assert.equal(code(a, access.app("admin"), "web"), 200);
  assert.equal(code(a, access.app("deployer", "revealed"), "anything"), 200);
});

test("a deployer changes granted apps only; other apps look absent; no users, no app creation without all apps", () => {
  const d = who("deployer", ["web"]);
  assert.equal(code(d, access.app("deployer"), "web"), 200);
  assert.equal(code(d, access.app("viewer", "revealed"), "web"), 200, "a deployer reads config values");
  assert.equal(code(d, access.app("deployer"), "other"), 404);
  assert.equal(code(d, access.app("viewer"), "other"), 404);
  assert.equal(code(d, access.app("admin"), "web"), 403, "destroying an app needs the admin role");
  assert.equal(code(d, access.createApp()), 403);
  assert.equal(code(who("deployer", "*"), access.createApp()), 200);
  assert.equal(code(who("deployer", "*"), access.app("deployer"), "anything"), 200);
  assert.equal(code(d, access.admin()), 403);
});

test("a viewer reads granted apps, never secrets, never changes or runs anything", () => {
  const v = who("viewer", ["web"]);
  assert.equal(code(v, access.app("viewer"), "web"), 200);
  assert.equal(code(v, access.app("viewer", "masked"), "web"), 200, "the route masks the values");
  assert.equal(code(v, access.app("viewer", "revealed"), "web"), 403, "declared secrets are never a viewer's");
  assert.equal(code(v, access.app("deployer"), "web"), 403);
  assert.equal(code(v, access.app("viewer"), "db"), 404);
  assert.equal(code(v, access.app("viewer")), 404, "an app route with no app in its path decides nothing");
});

test("everyone reaches their own session and tokens; the bootstrap token cannot mint personal tokens", () => {
  assert.equal(code(who("viewer"), access.user({ personal: true })), 200);
  assert.equal(code(who("viewer"), access.user()), 200);
  assert.equal(code(who("admin", [], null), access.user({ personal: true })), 403);
  assert.equal(code(who("admin", [], null), access.user()), 200);
});

test("a grant on an app covers its review apps", () => {
  const d = { ...who("deployer", ["web"]), parentOf: (a: string) => (a.startsWith("web-") ? "web" : null) };
  assert.equal(code(d, access.app("deployer"), "web-feature-x"), 200);
  assert.equal(code(d, access.app("viewer"), "api-feature-x"), 404);
});

test("the hint of a refusal says what would help: admin for admin-only areas, deployer for a viewer's change", () => {
  const hint = (p: Principal, a: Access, app?: string) => {
    const d = decide(p, a, app);
    return d.allow ? "" : (d.hint ?? "");
  };
  for (const role of ["viewer", "deployer"] as const) {
    const h = hint(who(role, ["web"]), access.admin());
    assert.match(h, /--role admin/, role);
    assert.doesNotMatch(h, /--role deployer/, role);
  }
  assert.match(hint(who("viewer", ["web"]), access.app("deployer"), "web"), /--role deployer --apps web/);
  assert.match(hint(who("viewer", ["web"]), access.app("viewer", "revealed"), "web"), /--role deployer --apps web/);
  const destroy = access.app("admin", "none", "yk apps:destroy {app} --confirm {app}");
  assert.match(hint(who("deployer", ["web"]), destroy, "web"), /yk apps:destroy web --confirm web/);
  assert.match(hint(who("deployer", ["web"]), access.app("admin"), "web"), /--role admin/);
  assert.match(hint(who("deployer", ["web"]), access.createApp()), /--apps "\*"/);
});
