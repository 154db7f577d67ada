import { test } from "node:test";
import assert from "node:assert/strict";
import { auditWords, describeChange, type DeployFacts } from "./audit-words.js";

const facts = (
  method: string,
  path: string,
  body: Record<string, unknown> | null = null,
  response: unknown = null,
  query = "",
) => ({
  method,
  path,
  query: new URLSearchParams(query),
  body,
  response,
});
const words = (...a: Parameters<typeof facts>) => describeChange(facts(...a)).summary;

test("config changes name the vars, never their values", () => {
  const d = describeChange(
    facts(
      "PATCH",
      "/apps/web/config",
      { set: { DATABASE_URL: "postgres://u:pw@db", SECRET: "hunter2" } },
      { deploy: { id: 9 } },
    ),
  );
  assert.equal(d.summary, "set config vars DATABASE_URL, SECRET on web");
  assert.deepEqual(d.link, { deploy: 9, kind: "change" });
  assert.doesNotMatch(JSON.stringify(d), /hunter2|postgres/);
  assert.equal(words("PATCH", "/apps/web/config", { unset: ["A", "B"] }), "unset config vars A, B on web");
});

test("passwords and run arguments stay out; users, tokens, domains, scale and settings are named", () => {
  assert.equal(
    words("POST", "/users", { email: "ana@example.com", role: "deployer", password: "pw-secret-123" }),
    "added user ana@example.com as deployer",
  );
  assert.equal(words("PATCH", "/users/ana%40example.com", { password: "x" }), "changed user ana@example.com: password");
  assert.equal(
    words("POST", "/apps/web/runs", { command: ["psql", "postgres://u:pw@db"], detach: true }),
    "started a one-off run of web: psql … (detached)",
  );
  assert.equal(
    words("POST", "/apps/web/domains", { hostname: "www.example.com" }),
    "added domain www.example.com to web",
  );
  assert.equal(words("PATCH", "/apps/web/formation", { web: 2, worker: 0 }), "scaled web: web=2, worker=0");
  assert.equal(
    words("PATCH", "/apps/web/deploy-settings", { strategy: "canary", steps: [5, 100] }),
    "changed the deploy settings of web: strategy=canary, steps=5,100",
  );
  assert.equal(words("POST", "/apps", { name: "web" }, { name: "web" }), "created app web");
  assert.equal(words("DELETE", "/apps/web"), "destroyed app web");
  assert.equal(words("POST", "/apps/web/hooks/secret", { rotate: true }), "rotated the webhook secret of web");
  assert.equal(words("DELETE", "/apps/web/storage", null, null, "path=/data"), "unmounted /data from web");
  assert.equal(words("POST", "/apps/web/deploy/abort"), "aborted the canary of web");
  assert.equal(words("POST", "/apps/web/something-new"), "POST /api/v1/apps/web/something-new");
});

test("a git push or upload links its deploy, which says at read time how it ended", () => {
  const push = describeChange(
    facts("POST", "/apps/web/builds", null, { id: 12 }, `commit=${"abc1234".padEnd(40, "0")}&ref=refs/heads/main`),
  );
  assert.equal(push.summary, "deploy of web from git main@abc1234");
  const d: DeployFacts = {
    id: 12,
    app: "web",
    status: "succeeded",
    source: "git",
    commit: "abc1234".padEnd(40, "0"),
    ref: "refs/heads/main",
    releaseVersion: 12,
    steps: [],
  };
  const lookup = (dd: DeployFacts | null) => ({ deploy: () => dd, delivery: () => null });
  const entry = { summary: push.summary, action: "POST /api/v1/apps/web/builds", link: push.link };
  assert.equal(auditWords(entry, lookup(d)), "deployed v12 of web from git main@abc1234");
  const failed = { ...d, status: "failed", releaseVersion: null, steps: [{ name: "build", status: "failed" }] };
  assert.equal(auditWords(entry, lookup(failed)), "deploy #12 of web from git main@abc1234 failed at build");
  assert.equal(
    auditWords(entry, lookup({ ...d, status: "building" })),
    "deploying web from git main@abc1234 (deploy #12, building)",
  );
  assert.equal(
    auditWords(entry, lookup(null)),
    "deploy of web from git main@abc1234",
    "a deploy that is gone keeps the words",
  );
  const upload = describeChange(facts("POST", "/apps/web/builds", null, { id: 3 }));
  assert.equal(upload.summary, "deploy of web from an upload");
  const rollback = describeChange(facts("POST", "/apps/web/rollback", { version: 7 }, { id: 13 }));
  assert.equal(
    auditWords({ ...rollback, action: "" }, lookup({ ...d, id: 13, source: "rollback", releaseVersion: 14 })),
    "rolled web back to v7: v14 live (deploy #13)",
  );
});

test("a webhook delivery says what its deploy did, or what became of the delivery", () => {
  const entry = {
    summary: "GitHub webhook delivery to web: queued",
    action: "POST /hooks/github/web",
    link: { delivery: { app: "web", provider: "github", id: "d-1" } },
  };
  const d: DeployFacts = {
    id: 4,
    app: "web",
    status: "succeeded",
    source: "git",
    commit: "f".repeat(40),
    ref: "refs/heads/main",
    releaseVersion: 3,
    steps: [],
  };
  assert.equal(
    auditWords(entry, { deploy: () => d, delivery: () => ({ outcome: "deployed web v3 (deploy #4)", deployId: 4 }) }),
    "deployed v3 of web from git main@fffffff",
  );
  assert.equal(
    auditWords(entry, {
      deploy: () => null,
      delivery: () => ({ outcome: "ignored: tag pushes are not deployed", deployId: null }),
    }),
    "github webhook delivery d-1: ignored: tag pushes are not deployed",
  );
});
