import { test } from "node:test";
import assert from "node:assert/strict";
import { Command } from "commander";
import { FakeApi } from "../testing/fake-api.js";
import { parseAppsFlag, registerAccounts } from "./accounts.js";
import { registerLogin } from "./login.js";
import { CliError } from "../api-client.js";

async function yk(args: string[], api: FakeApi, secret = "a piped password") {
  let out = "";
  let saved: unknown = null;
  const program = new Command("yk")
    .exitOverride()
    .configureOutput({ outputError: () => {}, writeErr: () => {}, writeOut: () => {} });
  const ctx = {
    env: {},
    api: () => api,
    saveConfig: async (cfg: unknown) => ((saved = cfg), "/tmp/cli.json"),
    out: (t: string) => void (out += t),
    now: () => new Date("2026-11-22T00:00:00Z"),
  };
  registerAccounts(program, ctx, async () => secret);
  registerLogin(program, ctx, async () => secret);
  await program.parseAsync(args, { from: "user" });
  return { out, saved };
}

test("--apps: a comma list or '*'", () => {
  assert.deepEqual(parseAppsFlag("web, api,"), ["web", "api"]);
  assert.equal(parseAppsFlag("*"), "*");
  assert.equal(parseAppsFlag(undefined), undefined);
});

test("users:add sends the role and grants; a generated password is printed once, a piped one never", async () => {
  const user = { email: "a@x.io", role: "deployer", apps: ["web"], createdAt: "", createdBy: "admin" };
  const api = new FakeApi({
    'POST /api/v1/users {"email":"a@x.io","role":"deployer","apps":["web"]}': {
      user,
      initialPassword: "generated-once",
    },
    'POST /api/v1/users {"email":"a@x.io","role":"deployer","apps":["web"],"password":"a piped password"}': { user },
  });
  const r = await yk(["users:add", "a@x.io", "--role", "deployer", "--apps", "web"], api);
  assert.match(r.out, /Added a@x.io as deployer \(apps: web\)\.\nInitial password .*\ngenerated-once\n$/);
  const piped = await yk(["users:add", "a@x.io", "--role", "deployer", "--apps", "web", "--password-stdin"], api);
  assert.equal(piped.out.includes("a piped password"), false);
});

test("users:remove needs --confirm with the same email; tokens:revoke needs an id", async () => {
  await assert.rejects(
    yk(["users:remove", "a@x.io", "--confirm", "b@x.io"], new FakeApi()),
    (e: unknown) => e instanceof CliError && e.exitCode === 2,
  );
  await assert.rejects(
    yk(["tokens:revoke", "1;rm"], new FakeApi()),
    (e: unknown) => e instanceof CliError && e.exitCode === 2,
  );
});

test("login --email exchanges the piped password for a personal token and saves that, never the password", async () => {
  const api = new FakeApi({
    'POST /api/v1/session {"email":"a@x.io","password":"a piped password","token":"cli 2026-11-22"}': {
      token: "ykp_abc",
    },
    "GET /api/v1/apps": [],
  });
  const r = await yk(["login", "--url", "http://127.0.0.1:7700", "--email", "a@x.io", "--password-stdin"], api);
  assert.deepEqual(r.saved, { url: "http://127.0.0.1:7700", token: "ykp_abc" });
  await assert.rejects(yk(["login", "--url", "http://127.0.0.1:7700", "--email", "a@x.io"], api), /--password-stdin/);
  await assert.rejects(yk(["login", "--url", "http://127.0.0.1:7700"], api), /either --token or --email/);
});

test("yk audit prints what happened in words and says how to page back; --before pages", async () => {
  const entry = (id: number, summary: string) => ({
    id,
    at: "2026-11-21T23:00:00.000Z",
    actor: "ana@example.com",
    action: "PATCH /api/v1/apps/web/config",
    summary,
    app: "web",
    ip: "127.0.0.1",
    status: 200,
    ok: true,
  });
  const api = new FakeApi({
    "GET /api/v1/audit?limit=2&app=web": [
      entry(9, "set config vars DATABASE_URL on web"),
      entry(8, "deployed v3 of web from git main@abc1234"),
    ],
    "GET /api/v1/audit?limit=2&app=web&before=8": [entry(7, "created app web")],
  });
  const { out } = await yk(["audit", "-a", "web", "-n", "2"], api);
  assert.match(out, /^ID\s+WHEN\s+WHO\s+WHAT\s+APP\s+RESULT$/m);
  assert.match(
    out,
    /^9\s+2026-11-21 23:00 \(1h ago\)\s+ana@example\.com\s+set config vars DATABASE_URL on web\s+web\s+ok$/m,
  );
  assert.match(out, /deployed v3 of web from git main@abc1234/);
  assert.match(out, /Older entries: yk audit -a web -n 2 --before 8\n$/);
  const older = await yk(["audit", "-a", "web", "-n", "2", "--before", "8"], api);
  assert.match(older.out, /created app web/);
  assert.doesNotMatch(older.out, /Older entries/);
  await assert.rejects(yk(["audit", "--before", "x"], api), CliError);
});
