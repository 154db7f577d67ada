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
