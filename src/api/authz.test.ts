import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { seededApi, SECRET, type Seeded } from "./testing/seeded.js";
import { fillPath, queryFor, registeredRoutes, type RegisteredRoute } from "./testing/routes.js";

/**
 * The authorization walk (security issue #11, finding 5): every route, with
 * no token, a revoked token, a viewer of the app and a deployer of another
 * app. The expected statuses are written here from the roles' rules, not
 * read from the routes' declarations, so a wrong declaration fails. No
 * answer may carry a config value, a secret, a webhook secret, a token or a
 * password the seed put in.
 */
let s: Seeded;
before(async () => {
  s = await seededApi();
});
after(() => s.close());

const PUBLIC = new Set([
  "GET /",
  "GET /assets/:file",
  "GET /api/openapi.json",
  "GET /api/v1/health",
  "GET /api/v1/session",
  "POST /api/v1/session",
  "POST /hooks/github/:app",
  "POST /hooks/gitlab/:app",
]);
/** GET routes that reveal values a viewer may not read */
const SECRET_READS = new Set(["GET /api/v1/apps/:app/config/:key", "GET /api/v1/apps/:app/review-apps/config"]);
/** routes any authenticated caller reaches (their own identity, session, tokens, the app list, events) */
const OWN = new Set([
  "GET /api/v1/me",
  "DELETE /api/v1/session",
  "GET /api/v1/tokens",
  "POST /api/v1/tokens",
  "DELETE /api/v1/tokens/:id",
  "GET /api/v1/apps",
  "GET /api/v1/events",
]);
const ADMIN_AREAS = /^\/api\/v1\/(users|audit|config|certs|cluster|status|doctor|backups)\b/;

interface Answer {
  status: number;
  code: string | undefined;
  text: string;
}

async function call(r: RegisteredRoute, token: string | null, app = "shop"): Promise<Answer> {
  const path = fillPath(r.path, s, app) + queryFor(r.method, r.path);
  const body = r.method === "GET" || r.method === "DELETE" ? undefined : {};
  const res = await s.request(r.method, path, { token, body });
  if ((res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    await res.body?.cancel();
    return { status: res.status, code: undefined, text: "" };
  }
  const text = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code, text };
}

function leaks(text: string): string[] {
  return s.secrets.filter((secret) => text.includes(secret));
}

test("no token and a revoked token: 401 on every route but the public ones; nothing secret in any answer", async () => {
  const wrong: string[] = [];
  let n = 0;
  for (const r of registeredRoutes(s.api)) {
    const key = `${r.method} ${r.path}`;
    if (PUBLIC.has(key) || r.path.startsWith("/hooks/")) continue;
    for (const [who, token] of [
      ["no token", null],
      ["revoked token", s.tokens.revoked],
    ] as const) {
      const a = await call(r, token);
      n++;
      if (a.status !== 401 || a.code !== "unauthorized")
        wrong.push(`${who} ${key} → ${a.status} ${a.text.slice(0, 100)}`);
      if (leaks(a.text).length) wrong.push(`${who} ${key} leaks ${leaks(a.text).length} secret(s)`);
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(n > 100, `${n} calls`);
});

test("a viewer of the app: reads what is not secret, never a change, never a value; admin areas refused", async () => {
  const wrong: string[] = [];
  for (const r of registeredRoutes(s.api)) {
    const key = `${r.method} ${r.path}`;
    if (PUBLIC.has(key) || OWN.has(key)) continue;
    const a = await call(r, s.tokens.viewerShop);
    const leaked = leaks(a.text);
    if (leaked.length) wrong.push(`viewer ${key} leaks ${leaked.length} secret(s)`);
    const refused = a.status === 403 && a.code === "forbidden";
    const mustRefuse = r.method !== "GET" || SECRET_READS.has(key) || ADMIN_AREAS.test(r.path);
    if (mustRefuse !== refused) wrong.push(`viewer ${key} → ${a.status} ${a.text.slice(0, 100)}`);
  }
  assert.deepEqual(wrong, []);
  // the masked list: names, no values
  const config = await s.request("GET", "/api/v1/apps/shop/config", { token: s.tokens.viewerShop });
  assert.deepEqual(await config.json(), { DATABASE_URL: null });
});

test("a viewer cannot read review-app config values (it could by path shape before)", async () => {
  const r = await s.request("GET", "/api/v1/apps/shop/review-apps/config", { token: s.tokens.viewerShop });
  assert.equal(r.status, 403);
  assert.equal((await r.text()).includes(SECRET.review), false);
  const deployer = await s.request("GET", "/api/v1/apps/shop/review-apps/config", { token: s.tokens.deployerShop });
  assert.deepEqual(await deployer.json(), { REVIEW_TOKEN: SECRET.review });
});

test("a deployer of another app: every route of this app answers 404 as if it did not exist; admin areas 403", async () => {
  const wrong: string[] = [];
  for (const r of registeredRoutes(s.api)) {
    const key = `${r.method} ${r.path}`;
    if (PUBLIC.has(key) || OWN.has(key)) continue;
    const a = await call(r, s.tokens.deployerBlog);
    if (leaks(a.text).some((x) => x !== s.tokens.deployerBlog)) wrong.push(`other deployer ${key} leaks a secret`);
    const expected = r.path.includes(":app")
      ? [404, "not_found"]
      : ADMIN_AREAS.test(r.path) || key === "POST /api/v1/apps"
        ? [403, "forbidden"]
        : null;
    if (!expected) wrong.push(`${key}: the walk does not know what to expect`);
    else if (a.status !== expected[0] || a.code !== expected[1])
      wrong.push(`other deployer ${key} → ${a.status} ${a.text.slice(0, 100)}`);
  }
  assert.deepEqual(wrong, []);
  // the lists it may see hold only its own app
  const apps = (await (await s.request("GET", "/api/v1/apps", { token: s.tokens.deployerBlog })).json()) as {
    name: string;
  }[];
  assert.deepEqual(
    apps.map((a) => a.name),
    ["blog"],
  );
  // promotion names its target in the body: the target must be the caller's too
  const promote = await s.request("POST", "/api/v1/apps/blog/promote", {
    token: s.tokens.deployerBlog,
    body: { to: "shop" },
  });
  assert.equal(promote.status, 404);
  assert.equal(((await promote.json()) as { error: { message: string } }).error.message, "shop does not exist");
});

test("nothing a refused caller tried changed anything, and every refused change is audited", async () => {
  const shop = (await (await s.request("GET", "/api/v1/apps/shop")).json()) as { domains: string[] };
  assert.deepEqual(shop.domains, [s.ids.hostname]);
  const config = (await (await s.request("GET", "/api/v1/apps/shop/config")).json()) as Record<string, string>;
  assert.deepEqual(Object.keys(config), ["DATABASE_URL"]);
  assert.equal((await (await s.request("GET", "/api/v1/users")).json()).length, 5);
  const audit = (await (await s.request("GET", "/api/v1/audit?limit=1000")).json()) as {
    actor: string;
    ok: boolean;
    status: number;
  }[];
  assert.ok(audit.some((e) => e.actor === "viewer@example.com" && !e.ok && e.status === 403));
  assert.ok(audit.some((e) => e.actor === "blogger@example.com" && !e.ok && e.status === 404));
});
