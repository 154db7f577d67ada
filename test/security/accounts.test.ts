import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { call, loginToken, startTenants, yk, type Tenants } from "./harness.js";

/**
 * Finding 11 of issue #11, the accounts part: the events stream of a user who
 * is removed, tokens after a password change, and a login limit that one
 * address's failures cannot turn against everyone behind it.
 */
let t: Tenants;
const created: string[] = [];

before(async () => {
  t = await startTenants("sec-acct");
});

after(async () => {
  for (const a of created) t.s.apps.add(a);
  await t?.s.close();
});

/** Opens GET /api/v1/events as `token`; collects the `apps` events until the stream ends or `stop()`. */
function openEvents(token: string) {
  const events: string[] = [];
  let ended = false;
  const req = http.get(`${t.s.url}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } }, (res) => {
    let buf = "";
    res.setEncoding("utf8");
    res.on("data", (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = block
          .split("\n")
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).trim())
          .join("\n");
        if (data) events.push(data);
      }
    });
    res.on("end", () => void (ended = true));
    res.on("close", () => void (ended = true));
  });
  req.on("error", () => void (ended = true));
  return { events, ended: () => ended, stop: () => req.destroy() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("finding 11: the events stream stops serving a user once removed, and never shows them apps created later", async () => {
  const email = "all-apps@sec-acct.test";
  assert.equal(
    (await call(t.s, t.s.token, "POST", "/api/v1/users", { email, role: "deployer", apps: "*", password: t.password }))
      .status,
    201,
  );
  const token = await loginToken(t.s, email, t.password);
  const stream = openEvents(token);
  try {
    await sleep(1500);
    assert.ok(stream.events.length >= 1, "the stream serves the user");
    assert.equal((await call(t.s, t.s.token, "DELETE", `/api/v1/users/${email}`)).status, 200);
    const later = `sec-acct-later-${process.pid.toString(36)}`.slice(0, 30);
    created.push(later);
    assert.equal((await call(t.s, t.s.token, "POST", "/api/v1/apps", { name: later })).status, 201);
    for (let i = 0; i < 30 && !stream.ended(); i++) await sleep(100);
    await sleep(2500);
    assert.ok(!stream.events.some((e) => e.includes(later)), "the removed user saw an app created after the removal");
    assert.ok(stream.ended(), "the stream was closed");
  } finally {
    stream.stop();
  }
});

test("finding 11: the events stream follows grant changes as they happen", async () => {
  const email = "grants@sec-acct.test";
  await call(t.s, t.s.token, "POST", "/api/v1/users", {
    email,
    role: "viewer",
    apps: [t.a, t.b],
    password: t.password,
  });
  const token = await loginToken(t.s, email, t.password);
  const stream = openEvents(token);
  try {
    await sleep(1500);
    assert.ok(stream.events.at(-1)?.includes(t.b), "B is shown while granted");
    assert.equal((await call(t.s, t.s.token, "PATCH", `/api/v1/users/${email}`, { apps: [t.a] })).status, 200);
    await sleep(2500);
    const last = stream.events.at(-1) ?? "";
    assert.ok(last.includes(t.a) && !last.includes(t.b), `B is gone from the stream: ${last.slice(0, 200)}`);
  } finally {
    stream.stop();
  }
});

test("finding 11: a password change revokes the user's API tokens, and says so", async () => {
  const email = "rotate@sec-acct.test";
  await call(t.s, t.s.token, "POST", "/api/v1/users", { email, role: "deployer", apps: [t.a], password: t.password });
  const old = await loginToken(t.s, email, t.password);
  assert.equal((await call(t.s, old, "GET", "/api/v1/me")).status, 200);
  const r = await yk(t.s, t.s.token, ["users:update", email, "--password-stdin"], `${t.password}-new\n`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /1 API token .*revoked/i);
  assert.equal((await call(t.s, old, "GET", "/api/v1/me")).status, 401, "the old token no longer works");
  const fresh = await loginToken(t.s, email, `${t.password}-new`);
  // an admin can keep them deliberately (an automation's token while a password is reset)
  const kept = await call(t.s, t.s.token, "PATCH", `/api/v1/users/${email}`, {
    password: `${t.password}-newer`,
    keepTokens: true,
  });
  assert.equal(kept.status, 200, kept.text);
  assert.equal(kept.body.tokensRevoked, 0);
  assert.equal((await call(t.s, fresh, "GET", "/api/v1/me")).status, 200);
});

test("finding 11: failed logins from one address for many accounts do not lock out another account behind it", async () => {
  for (let i = 0; i < 25; i++) {
    const r = await call(t.s, null, "POST", "/api/v1/session", {
      email: `nobody${i}@sec-acct.test`,
      password: "wrong-password",
    });
    assert.ok([401, 429].includes(r.status), String(r.status));
  }
  const ok = await call(t.s, null, "POST", "/api/v1/session", {
    email: "view-a@sec-acct.test",
    password: t.password,
    token: "after-spray",
  });
  assert.equal(ok.status, 201, `a user behind the same address logs in: ${ok.text}`);
  // while one account guessed from that address is still limited
  for (let i = 0; i < 5; i++)
    await call(t.s, null, "POST", "/api/v1/session", { email: "dep-b@sec-acct.test", password: "wrong-password" });
  const locked = await call(t.s, null, "POST", "/api/v1/session", {
    email: "dep-b@sec-acct.test",
    password: t.password,
  });
  assert.equal(locked.status, 429, locked.text);
});

test("a grant does not outlive its app: a later app of the same name is not handed to the old grantee", async () => {
  const name = `sec-acct-reuse-${process.pid.toString(36)}`.slice(0, 30);
  created.push(name);
  assert.equal((await call(t.s, t.s.token, "POST", "/api/v1/apps", { name })).status, 201);
  const email = "old-grant@sec-acct.test";
  const u = await call(t.s, t.s.token, "POST", "/api/v1/users", {
    email,
    role: "deployer",
    apps: [name],
    password: t.password,
  });
  assert.equal(u.status, 201, u.text);
  const token = await loginToken(t.s, email, t.password);
  assert.equal((await call(t.s, token, "GET", `/api/v1/apps/${name}`)).status, 200);
  assert.equal((await call(t.s, t.s.token, "DELETE", `/api/v1/apps/${name}`)).status, 200);
  // someone else's new app, under the old name
  assert.equal((await call(t.s, t.s.token, "POST", "/api/v1/apps", { name })).status, 201);
  assert.equal(
    (await call(t.s, token, "GET", `/api/v1/apps/${name}`)).status,
    404,
    "the old grant reached the new app",
  );
  // and a grant on an app that does not exist (yet) is refused
  const future = await call(t.s, t.s.token, "PATCH", `/api/v1/users/${email}`, { apps: ["not-created-yet"] });
  assert.equal(future.status, 422, future.text);
  assert.match(future.body.error.message, /no app named not-created-yet/);
});
