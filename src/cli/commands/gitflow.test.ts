import { test } from "node:test";
import assert from "node:assert/strict";
import { CliError } from "../api-client.js";
import { FakeApi } from "../testing/fake-api.js";
import { registerCommands } from "./index.js";
import { runCli } from "../testing/run-cli.js";

const run = (args: string[], api: FakeApi): Promise<string> => runCli(registerCommands, args, api, "/tmp/c.json");

test("hooks:secret prints the secret alone on its last line; --rotate asks for a new one", async () => {
  const api = new FakeApi({
    'POST /api/v1/apps/web/hooks/secret {"rotate":false}': { secret: "abc123" },
    'POST /api/v1/apps/web/hooks/secret {"rotate":true}': { secret: "def456" },
  });
  assert.equal((await run(["hooks:secret", "-a", "web"], api)).trimEnd().split("\n").at(-1), "abc123");
  assert.equal((await run(["hooks:secret", "-a", "web", "--rotate"], api)).trimEnd().split("\n").at(-1), "def456");
});

test("git:connect checks the branch locally and sends url and branch", async () => {
  const info = {
    app: "web",
    repository: { url: "/srv/web.git", branch: "trunk", connectedAt: "x" },
    webhooks: { github: "", gitlab: "", secretSet: false },
    reviewApps: { enabled: false, ttlSec: 1 },
    reviewOf: null,
  };
  const api = new FakeApi({ 'PUT /api/v1/apps/web/git {"url":"/srv/web.git","branch":"trunk"}': info });
  assert.match(
    await run(["git:connect", "-a", "web", "/srv/web.git", "--branch", "trunk"], api),
    /Connected web to \/srv\/web.git \(branch trunk\)/,
  );
  await assert.rejects(
    run(["git:connect", "-a", "web", "/srv/web.git", "--branch", "a..b"], api),
    (e: unknown) => e instanceof CliError && e.exitCode === 2,
  );
  await assert.rejects(
    run(["review-apps:destroy", "-a", "web", "--", "--upload-pack=x"], api),
    (e: unknown) => e instanceof CliError && e.exitCode === 2,
  );
  assert.equal(api.calls.length, 1, "refused names reach no server");
});

test("releases:promote posts the target and follows the deploy", async () => {
  const started = { id: 9, number: 9, app: "prod", status: "queued", image: "yadokari/prod:promoted-stg-v3", urls: [] };
  const done = { ...started, status: "succeeded", releaseVersion: 4, urls: ["http://prod.example.com/"] };
  const api = new FakeApi(
    { 'POST /api/v1/apps/stg/promote {"to":"prod"}': started, "GET /api/v1/apps/prod/deploys/9": done },
    ["-----> Release v4 created"],
  );
  const out = await run(["releases:promote", "-a", "stg", "--to", "prod"], api);
  assert.match(out, /Promoting stg's image to prod as yadokari\/prod:promoted-stg-v3: deploy #9/);
  assert.match(out, /Promoted: prod v4 runs yadokari\/prod:promoted-stg-v3/);
  assert.match(out, /Live at http:\/\/prod.example.com\//);
});
