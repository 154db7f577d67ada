import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../store/db.js";
import { AccountStore } from "./account-store.js";
import { Accounts } from "./accounts.js";
import { isAppError } from "../errors/app-error.js";

function setup() {
  let t = Date.parse("2026-01-01T00:00:00Z");
  const clock = { now: () => new Date(t) };
  const db = openDb(":memory:");
  const store = new AccountStore(db, clock);
  return { db, store, accounts: new Accounts(store, clock), advance: (ms: number) => void (t += ms) };
}
const code = (c: string) => (e: unknown) => isAppError(e) && e.code === c;

test("the bootstrap admin token is created once, stored hashed, written 0600, and resolves to an admin", () => {
  const dir = mkdtempSync(join(tmpdir(), "yk-auth-"));
  try {
    const { db, accounts } = setup();
    const first = accounts.bootstrapAdmin(dir);
    assert.equal(first.created, true);
    const token = readFileSync(first.path, "utf8").trim();
    assert.equal(statSync(first.path).mode & 0o777, 0o600);
    assert.equal(
      JSON.stringify(db.prepare("SELECT * FROM tokens").all()).includes(token),
      false,
      "only the hash is stored",
    );
    assert.equal(accounts.byToken(token)?.role, "admin");
    assert.equal(accounts.byToken(token + "x"), null);
    assert.equal(accounts.byToken(""), null);
    assert.equal(accounts.bootstrapAdmin(dir).created, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("users: validated, created with an initial password shown once, roles and grants resolved on each request", async () => {
  const { accounts, db } = setup();
  const admin = {
    userId: null,
    name: "admin",
    role: "admin" as const,
    allApps: true,
    apps: new Set<string>(),
    via: "token" as const,
  };
  await assert.rejects(accounts.addUser(admin, { email: "not-an-email", role: "viewer" }), code("invalid_user"));
  await assert.rejects(accounts.addUser(admin, { email: "a@x.io", role: "root" }), code("invalid_user"));
  await assert.rejects(
    accounts.addUser(admin, { email: "a@x.io", role: "viewer", apps: ["../etc"] }),
    code("invalid_name"),
  );
  await assert.rejects(
    accounts.addUser(admin, { email: "a@x.io", role: "viewer", password: "short" }),
    code("invalid_user"),
  );
  const created = await accounts.addUser(admin, { email: "Ana@X.io", role: "deployer", apps: ["web", "web"] });
  assert.deepEqual(created.user.apps, ["web"]);
  assert.equal(created.user.email, "ana@x.io");
  assert.ok(created.initialPassword && created.initialPassword.length >= 16);
  assert.equal(JSON.stringify(db.prepare("SELECT * FROM users").all()).includes(created.initialPassword!), false);
  await assert.rejects(accounts.addUser(admin, { email: "ana@x.io", role: "viewer" }), code("user_exists"));

  const user = await accounts.checkLogin("ANA@x.io", created.initialPassword, "1.2.3.4");
  const session = accounts.openSession(user);
  const p = accounts.bySession(session.sessionId)!;
  assert.equal(p.role, "deployer");
  assert.deepEqual([...p.apps], ["web"]);
  assert.equal(p.csrf, session.csrf);

  // a role change applies to the next request and ends sessions opened before it
  await accounts.updateUser("ana@x.io", { role: "viewer", apps: "*" });
  assert.equal(accounts.bySession(session.sessionId), null);
  assert.equal(accounts.users()[0].apps, "*");
});

test("logins: wrong passwords and unknown emails fail alike, then the limiter answers 429", async () => {
  const { accounts, advance } = setup();
  const admin = {
    userId: null,
    name: "admin",
    role: "admin" as const,
    allApps: true,
    apps: new Set<string>(),
    via: "token" as const,
  };
  await accounts.addUser(admin, { email: "b@x.io", role: "viewer", password: "a long enough password" });
  await assert.rejects(accounts.checkLogin("nobody@x.io", "a long enough password", "ip"), code("unauthorized"));
  for (let i = 0; i < 5; i++)
    await assert.rejects(accounts.checkLogin("b@x.io", "wrong password!!", "ip"), code("unauthorized"));
  await assert.rejects(accounts.checkLogin("b@x.io", "a long enough password", "ip"), code("too_many_attempts"));
  advance(15 * 60_000);
  assert.equal((await accounts.checkLogin("b@x.io", "a long enough password", "ip")).email, "b@x.io");
});

test("sessions expire; personal tokens are shown once, listed without the secret, revoked by their owner only", async () => {
  const { accounts, advance } = setup();
  const admin = {
    userId: null,
    name: "admin",
    role: "admin" as const,
    allApps: true,
    apps: new Set<string>(),
    via: "token" as const,
  };
  const { user } = await accounts.addUser(admin, {
    email: "c@x.io",
    role: "deployer",
    apps: "*",
    password: "a long enough password",
  });
  const row = await accounts.checkLogin(user.email, "a long enough password", "ip");
  const session = accounts.openSession(row);
  const p = accounts.byUser(row, "token");
  assert.throws(() => accounts.createToken(admin, "x"), code("forbidden"));
  assert.throws(() => accounts.createToken(p, "bad\nname"), code("invalid_request"));
  const t = accounts.createToken(p, "ci");
  assert.match(t.token, /^ykp_/);
  assert.equal(accounts.byToken(t.token)?.name, "c@x.io");
  assert.equal(JSON.stringify(accounts.tokens(p)).includes(t.token), false);
  const other = await accounts.addUser(admin, { email: "d@x.io", role: "viewer", password: "a long enough password" });
  const otherP = accounts.byUser(await accounts.checkLogin(other.user.email, "a long enough password", "ip2"), "token");
  assert.throws(() => accounts.revokeToken(otherP, t.id), code("not_found"));
  accounts.revokeToken(p, t.id);
  assert.equal(accounts.byToken(t.token), null);
  advance(12 * 3600_000 + 1);
  assert.equal(accounts.bySession(session.sessionId), null, "expired");
  // removing a user removes their tokens and sessions
  const t2 = accounts.createToken(p, "again");
  accounts.removeUser("c@x.io");
  assert.equal(accounts.byToken(t2.token), null);
});
