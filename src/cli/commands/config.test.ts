import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import type { DeployView } from "../../api/contract.js";
import { CliError } from "../api-client.js";
import { FakeApi as SharedFakeApi } from "../testing/fake-api.js";
import { registerConfig, renderConfig, renderShell, shellQuote } from "./config.js";
import { runCli } from "../testing/run-cli.js";

/** Every list answer comes one item per call. */
class FakeApi extends SharedFakeApi {
  constructor(answers: Record<string, unknown> = {}, logLines: string[] = []) {
    super(answers, logLines, () => true);
  }
}

const run = (args: string[], api: FakeApi): Promise<string> => runCli(registerConfig, args, api);

const deploy = (status: DeployView["status"], extra: Partial<DeployView> = {}): DeployView => ({
  id: 7,
  number: 7,
  actor: "admin",
  app: "web",
  status,
  source: "config",
  commit: null,
  ref: null,
  releaseVersion: status === "queued" ? null : 4,
  reason: null,
  errorCode: null,
  supersededBy: null,
  supersededByNumber: null,
  containerLog: null,
  steps: [],
  createdAt: "2024-05-10T12:00:00Z",
  finishedAt: null,
  urls: ["http://web.localhost"],
  ...extra,
});

const isUsage = (pattern: RegExp) => (e: unknown) =>
  e instanceof CliError && e.exitCode === 2 && pattern.test(e.message);

test("config:set splits at the first '=', sends one PATCH, and follows the deploy to the end", async () => {
  const api = new FakeApi(
    {
      'PATCH /api/v1/apps/web/config {"set":{"A":"1","B":"x=y","C":""},"restart":true}': {
        config: {},
        deploy: deploy("queued"),
      },
      "GET /api/v1/apps/web/deploys/7": [deploy("succeeded")],
    },
    ["-----> Release v4 created: Set A, B, C", "-----> v4 is live at http://web.localhost"],
  );
  const out = await run(["config:set", "-a", "web", "A=1", "B=x=y", "C="], api);
  assert.equal(
    out,
    "Set A, B, C on web; restarting it with deploy #7\n-----> Release v4 created: Set A, B, C\n-----> v4 is live at http://web.localhost\nDeploy #7 succeeded: release v4\n",
  );
  assert.deepEqual(api.calls.slice(1), [
    "LINES /api/v1/apps/web/deploys/7/log?follow=1",
    "GET /api/v1/apps/web/deploys/7",
  ]);
});

test("config:set --no-restart stores only; without a live release there is nothing to follow", async () => {
  const stored = new FakeApi({
    'PATCH /api/v1/apps/web/config {"set":{"A":"1"},"restart":false}': { config: { A: "1" }, deploy: null },
  });
  assert.match(await run(["config:set", "-a", "web", "A=1", "--no-restart"], stored), /Set A on web without a restart/);
  const fresh = new FakeApi({
    'PATCH /api/v1/apps/web/config {"set":{"A":"1"},"restart":true}': { config: { A: "1" }, deploy: null },
  });
  assert.match(await run(["config:set", "-a", "web", "A=1"], fresh), /no live release yet/);
  assert.equal(fresh.calls.length, 1);
});

test("a config:set whose deploy fails exits 1 with the deploy's reason", async () => {
  const api = new FakeApi({
    'PATCH /api/v1/apps/web/config {"set":{"A":"1"},"restart":true}': { config: {}, deploy: deploy("queued") },
    "GET /api/v1/apps/web/deploys/7": [
      deploy("failed", {
        reason: "web.1 exited with code 1",
        steps: [{ name: "gate", status: "failed", startedAt: "", finishedAt: null, detail: null }],
      }),
    ],
  });
  await assert.rejects(
    run(["config:set", "-a", "web", "A=1"], api),
    (e: unknown) =>
      e instanceof CliError && e.exitCode === 1 && e.code === "deploy_failed" && /exited with code 1/.test(e.message),
  );
});

test("bad arguments are usage errors and nothing is sent; a lone argument is not echoed", async () => {
  const api = new FakeApi();
  await assert.rejects(run(["config:set", "-a", "web", "FOO"], api), isUsage(/FOO has no value/));
  await assert.rejects(
    run(["config:set", "-a", "web", "A=1", "s3cret/token"], api),
    (e: unknown) =>
      isUsage(/argument 2 is not KEY=value/)(e) && !/s3cret/.test((e as CliError).message + (e as CliError).hint),
  );
  await assert.rejects(run(["config:set", "-a", "web", "PORT=80"], api), isUsage(/PORT cannot be a config var/));
  await assert.rejects(run(["config:set", "-a", "web", "A;rm=1"], api), isUsage(/invalid config var name/));
  await assert.rejects(run(["config:unset", "-a", "web", "../x"], api), isUsage(/invalid config var name/));
  await assert.rejects(run(["config:get", "-a", "web", "YADOKARI_APP"], api), isUsage(/reserved/));
  assert.deepEqual(api.calls, []);
});

test("config:unset sends the names; config:get prints the value alone", async () => {
  const api = new FakeApi({
    'PATCH /api/v1/apps/web/config {"unset":["A","B"],"restart":false}': { config: {}, deploy: null },
    "GET /api/v1/apps/web/config/A": { key: "A", value: "x=1\ny" },
  });
  assert.match(
    await run(["config:unset", "-a", "web", "A", "B", "--no-restart"], api),
    /^Unset A, B on web without a restart/,
  );
  assert.equal(await run(["config:get", "-a", "web", "A"], api), "x=1\ny\n");
});

test("config aligns KEY: value like Heroku; --json prints the object", async () => {
  const api = new FakeApi({
    "GET /api/v1/apps/web/config": { DATABASE_URL: "postgres://db/app", A: "two\nlines", ESC: "\x1b[31mred" },
  });
  assert.equal(
    await run(["config", "-a", "web"], api),
    "=== web Config Vars\nDATABASE_URL: postgres://db/app\nA:            two\n              lines\nESC:          \\x1b[31mred\n",
  );
  assert.deepEqual(JSON.parse(await run(["config", "-a", "web", "--json"], api)), {
    DATABASE_URL: "postgres://db/app",
    A: "two\nlines",
    ESC: "\x1b[31mred",
  });
  assert.equal(renderConfig("web", {}), "web has no config vars.\n");
});

test("--shell output reads back in a POSIX shell as the same values", () => {
  const config = {
    PLAIN: "abc-1.2/x:y@z",
    EMPTY: "",
    SPACE: "a b",
    QUOTE: 'it\'s "q"',
    DOLLAR: "$HOME `id` $(id)",
    NL: "l1\nl2",
    EQ: "a=b=",
    UNI: "日本 🦀",
  };
  assert.equal(shellQuote("abc"), "abc");
  assert.equal(shellQuote(""), "''");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  const script =
    renderShell(config) +
    Object.keys(config)
      .map((k) => `printf '%s\\0' "$${k}"`)
      .join("\n");
  const values = execFileSync("/bin/sh", ["-c", script], { encoding: "utf8", env: {} }).split("\0").slice(0, -1);
  assert.deepEqual(values, Object.values(config));
});

test("config:rotate-key posts to the install-wide route", async () => {
  const api = new FakeApi({ "POST /api/v1/config/rotate-key": { resealed: 12, keyId: "ab12cd34" } });
  assert.match(
    await run(["config:rotate-key"], api),
    /Rotated the master key to ab12cd34: 12 sealed values re-encrypted/,
  );
});
