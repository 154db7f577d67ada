import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { seededApi, SECRET, type Seeded } from "./testing/seeded.js";
import { LIMITS } from "./body-limit.js";

/**
 * What main's newcomer work (issue 15) added to the API, as it runs behind
 * schema's route declarations: the audit in words built by the guard from
 * the validated body, webhook deliveries in the audit (refused ones too),
 * refusals with a hint that says what would help, and deploy paging.
 */
let s: Seeded;
before(async () => {
  s = await seededApi();
});
after(() => s.close());

interface Entry {
  id: number;
  actor: string;
  action: string;
  app: string | null;
  status: number;
  ok: boolean;
  summary: string;
}
const audit = async (app?: string) =>
  (await (await s.request("GET", `/api/v1/audit?limit=1000${app ? `&app=${app}` : ""}`)).json()) as Entry[];
type ErrorJson = { error: { code: string; message: string; hint: string } };

test("the guard says a change in words, with names from the validated body and never a value", async () => {
  const r = await s.request("PATCH", "/api/v1/apps/shop/config", {
    token: s.tokens.deployerShop,
    body: { set: { API_KEY: SECRET.config }, unset: ["OLD_FLAG"], restart: false },
  });
  assert.equal(r.status, 200);
  const [e] = await audit("shop");
  assert.equal(e.actor, "dev@example.com");
  assert.equal(e.action, "PATCH /api/v1/apps/shop/config");
  assert.equal(e.summary, "set config vars API_KEY; unset config vars OLD_FLAG on shop");
  assert.equal(JSON.stringify(await audit()).includes(SECRET.config), false);
});

test("a created app is audited under its name, which is in the answer, not the path", async () => {
  const r = await s.request("POST", "/api/v1/apps", { body: { name: "fresh" } });
  assert.equal(r.status, 201);
  const e = (await audit("fresh"))[0];
  assert.equal(e.summary, "created app fresh");
  assert.equal(e.status, 201);
});

test("a body the route refused is audited as not done, with no name from it", async () => {
  const r = await s.request("PATCH", "/api/v1/apps/shop/formation", { body: { web: -1 } });
  assert.equal(r.status, 400);
  const [e] = await audit("shop");
  assert.equal(e.action, "PATCH /api/v1/apps/shop/formation");
  assert.equal(e.status, 400);
  assert.equal(e.ok, false);
  assert.match(e.summary, /^not done: scaled shop/);
  assert.doesNotMatch(e.summary, /-1/);
});

test("webhook deliveries are audited under the provider's name, refused ones too, even past the body limit", async () => {
  const bad = await s.api.request("/hooks/github/shop", {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": "push", "x-hub-signature-256": "sha256=00" },
    body: JSON.stringify({ ref: "refs/heads/main" }),
  });
  assert.equal(bad.status, 401);
  const big = await s.api.request("/hooks/github/shop", {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": String(LIMITS.hook + 1) },
    body: "x".repeat(LIMITS.hook + 1),
  });
  assert.equal(big.status, 413);
  const [tooLarge, unsigned] = (await audit("shop")).filter((e) => e.actor === "github webhook");
  assert.equal(unsigned.summary, "not done: GitHub webhook delivery to shop refused: bad_signature");
  assert.equal(unsigned.action, "POST /hooks/github/shop");
  assert.equal(tooLarge.summary, "not done: GitHub webhook delivery to shop refused: payload_too_large");
  // a delivery for an app that does not exist is not recorded under a name someone made up
  await s.api.request("/hooks/gitlab/nosuchapp", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assert.equal((await audit("nosuchapp")).length, 0);
});

test("a refusal's hint says what would help: the deployer role for a viewer, an admin for admin-only routes", async () => {
  const asViewer = await s.request("POST", "/api/v1/apps/shop/domains", {
    token: s.tokens.viewerShop,
    body: { hostname: "x.shop.example" },
  });
  assert.equal(asViewer.status, 403);
  assert.match(((await asViewer.json()) as ErrorJson).error.hint, /--role deployer --apps shop/);
  const secret = await s.request("GET", "/api/v1/apps/shop/config/DATABASE_URL", { token: s.tokens.viewerShop });
  assert.match(((await secret.json()) as ErrorJson).error.hint, /--role deployer --apps shop/);
  const destroy = await s.request("DELETE", "/api/v1/apps/shop", { token: s.tokens.deployerShop });
  assert.equal(destroy.status, 403);
  assert.match(((await destroy.json()) as ErrorJson).error.hint, /yk apps:destroy shop --confirm shop/);
  for (const path of ["/api/v1/users", "/api/v1/certs", "/api/v1/cluster/nodes"]) {
    const admin = await s.request("GET", path, { token: s.tokens.deployerShop });
    assert.equal(admin.status, 403, path);
    const hint = ((await admin.json()) as ErrorJson).error.hint;
    assert.match(hint, /--role admin/, path);
    assert.doesNotMatch(hint, /--role deployer/, path);
  }
});

test("deploys page back with limit and before; a bad limit is a 400 naming the field", async () => {
  for (let i = 0; i < 3; i++) {
    const d = s.services.ctx.store.createDeploy({
      app: "blog",
      source: "tar",
      commit: null,
      ref: null,
      actor: "admin",
      intent: { changes: [], description: "Deploy" },
    });
    s.services.ctx.store.finishDeploy(d.id, "failed", { code: "build_failed", reason: "a test", containerLog: null });
  }
  const all = (await (await s.request("GET", "/api/v1/apps/blog/deploys")).json()) as { id: number }[];
  assert.equal(all.length, 3);
  const first = (await (await s.request("GET", "/api/v1/apps/blog/deploys?limit=2")).json()) as { id: number }[];
  assert.deepEqual(
    first.map((d) => d.id),
    all.slice(0, 2).map((d) => d.id),
  );
  const next = (await (await s.request("GET", `/api/v1/apps/blog/deploys?limit=2&before=${first[1].id}`)).json()) as {
    id: number;
  }[];
  assert.deepEqual(
    next.map((d) => d.id),
    [all[2].id],
  );
  const bad = await s.request("GET", "/api/v1/apps/blog/deploys?limit=0");
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as ErrorJson).error.message, "query.limit: expected a whole number from 1 to 100");
});

test("the audit log pages back with before, and says each entry in words", async () => {
  const all = await audit();
  const page = (await (await s.request("GET", `/api/v1/audit?limit=2&before=${all[0].id}`)).json()) as Entry[];
  assert.deepEqual(
    page.map((e) => e.id),
    all.slice(1, 3).map((e) => e.id),
  );
  assert.ok(all.every((e) => typeof e.summary === "string" && e.summary.length > 0));
});
