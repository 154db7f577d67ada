import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, uniqueApp } from "../helpers/yadokari.js";
import { getVia, waitFor } from "../helpers/http.js";
import { LocalRemote, deliver, githubExample, githubPush, ykFor } from "../helpers/git.js";

let s: TestServer;
let remote: LocalRemote;
let secret = "";
const app = uniqueApp("it-hook");
const CLI = join(ROOT, "dist/src/main/cli.js");
const yk = (...args: string[]) => ykFor(s, CLI)(...args);
const releases = async () => (await s.api("GET", `/apps/${app}/releases`)).body as any[];
const deploys = async () => (await s.api("GET", `/apps/${app}/deploys`)).body as any[];
const deliveries = async () => (await s.api("GET", `/apps/${app}/hooks/deliveries`)).body as any[];
const outcomeOf = (id: string) =>
  waitFor(
    `delivery ${id} to finish`,
    async () => {
      const d = (await deliveries()).find((x) => x.deliveryId === id);
      return d && /^(deployed|failed|ignored)/.test(d.outcome) ? d.outcome : null;
    },
    120000,
    200,
  );

before(async () => {
  s = await TestServer.start();
  await s.createApp(app);
  remote = await LocalRemote.create(join(FIXTURES, "env"));
});
after(async () => {
  await s?.close();
  remote?.remove();
});

test("git:connect refuses hostile URLs and branches, accepts a local bare repository; git:info shows it", async () => {
  for (const url of [
    "--upload-pack=touch /tmp/yk-x",
    "ext::sh -c touch% /tmp/yk-x",
    "file:///etc",
    "/tmp/../etc",
    "http://example.com/r.git",
    "https://h/r?x=1",
  ]) {
    const r = await s.api("PUT", `/apps/${app}/git`, { url, branch: "main" });
    assert.equal(r.status, 422, url);
    assert.equal(r.body.error.code, "invalid_repo_url", url);
  }
  for (const branch of ["a..b", "-x", "x y", "refs:x", "a".repeat(300)]) {
    const r = await s.api("PUT", `/apps/${app}/git`, { url: remote.bare, branch });
    assert.equal(r.status, 422, branch);
    assert.equal(r.body.error.code, "invalid_ref", branch);
  }
  const c = await yk("git:connect", "-a", app, remote.bare, "--branch", "main");
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, new RegExp(`Connected ${app} to ${remote.bare} \\(branch main\\)`));
  const info = await yk("git:info", "-a", app);
  assert.match(info.stdout, new RegExp(`Repository:\\s+${remote.bare}`));
  assert.match(info.stdout, new RegExp(`GitHub webhook:\\s+${s.url}/hooks/github/${app}`));
});

test("git:deploy fetches the branch, builds through the build path and deploys; the same commit again reuses its image", async () => {
  const head = await remote.head("main");
  const d = await yk("git:deploy", "-a", app);
  assert.equal(d.code, 0, d.stderr + d.stdout);
  assert.match(d.stdout, /Building yadokari\/.*:[0-9a-f]{40} from the Dockerfile/);
  const [v1] = await releases();
  assert.equal(v1.commit, head);
  assert.equal(v1.image, `yadokari/${app}:${head}`);
  assert.equal((await getVia(s.httpPort, `${app}.${s.domain}`)).body.trim(), "ok v1");

  const again = await s.api("POST", `/apps/${app}/git/deploy`, { commit: head });
  assert.equal(again.status, 202, JSON.stringify(again.body));
  const done = await s.waitDeploy(app, again.body.id);
  assert.equal(done.status, "succeeded", JSON.stringify(done));
  assert.ok(!done.steps.some((st: any) => st.name === "build"), "no build step");
  const [v2] = await releases();
  assert.equal(v2.version, 2);
  assert.equal(v2.image, v1.image);
  assert.match(v2.description, /image reused/);
  const notThere = await s.api("POST", `/apps/${app}/git/deploy`, { commit: "1".repeat(40) });
  assert.equal(notThere.status, 422);
  assert.equal(notThere.body.error.code, "fetch_failed");
});

let accepted: { body: unknown; delivery: string } | null = null;

test("a signed GitHub push deploys the pushed commit in the background; ping answers; other events are ignored", async () => {
  const sec = await yk("hooks:secret", "-a", app);
  assert.equal(sec.code, 0, sec.stderr);
  secret = sec.stdout.trimEnd().split("\n").at(-1)!;
  assert.match(secret, /^[0-9a-f]{64}$/);
  const hooksInfo = await yk("hooks:info", "-a", app);
  assert.match(hooksInfo.stdout, new RegExp(`Payload URL:\\s+${s.url}/hooks/github/${app}`));

  const ping = await deliver(s.url, "github", app, githubExample("ping"), { secret, event: "ping" });
  assert.equal(ping.status, 200, JSON.stringify(ping.body));
  assert.equal(ping.body.outcome, "pong");
  const star = await deliver(s.url, "github", app, githubExample("star"), { secret, event: "star" });
  assert.equal(star.status, 200);
  assert.match(star.body.outcome, /ignored/);

  const sha = await remote.commit("main", "CHANGE.txt", "2");
  const body = githubPush("main", sha);
  const t0 = Date.now();
  const r = await deliver(s.url, "github", app, body, { secret });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.ok(Date.now() - t0 < 2000, "answered before the build");
  assert.match(await outcomeOf(r.body.delivery), new RegExp(`^deployed ${app} v3`));
  const [v3] = await releases();
  assert.equal(v3.commit, sha);
  assert.equal((await getVia(s.httpPort, `${app}.${s.domain}`)).body.trim(), "ok v3");
  accepted = { body, delivery: r.body.delivery };
  // the audit log has the webhook's deploy in words, under the provider's name
  const audit = (await s.api("GET", `/audit?app=${app}`)).body as { actor: string; summary: string }[];
  assert.ok(
    audit.some(
      (e) => e.actor === "github webhook" && e.summary === `deployed v3 of ${app} from git main@${sha.slice(0, 7)}`,
    ),
    JSON.stringify(audit.slice(0, 5)),
  );
});

test("bad, missing and replayed signatures, an unknown app and a malformed body deploy nothing", async () => {
  assert.ok(accepted, "needs the accepted delivery of the previous test");
  const beforeDeploys = (await deploys()).length;
  const sha = await remote.commit("main", "CHANGE.txt", "3");
  const body = githubPush("main", sha);
  const refused = [
    await deliver(s.url, "github", app, body, { secret: "not-the-secret" }),
    await deliver(s.url, "github", app, body, {}),
    await deliver(s.url, "github", app, body, { signature: "sha256=" + "0".repeat(64) }),
    await deliver(s.url, "github", app, body, { signature: "sha1=0123" }),
    await deliver(s.url, "gitlab", app, body, { signature: "wrong-token" }),
    await deliver(s.url, "gitlab", app, body, {}),
  ];
  for (const r of refused) {
    assert.equal(r.status, 401, JSON.stringify(r.body));
    assert.equal(r.body.error.code, "bad_signature");
  }
  const unknown = await deliver(s.url, "github", "no-such-app", body, { secret });
  assert.equal(unknown.status, 404);
  const malformed = await deliver(s.url, "github", app, null, { secret, raw: '{"ref": "refs/heads/main", "after": ' });
  assert.equal(malformed.status, 400, JSON.stringify(malformed.body));
  const noAfter = await deliver(s.url, "github", app, { ref: "refs/heads/main" }, { secret });
  assert.equal(noAfter.status, 400);
  // Replays of the delivery that deployed: the same id, and the same signed body under a new id.
  const replay = await deliver(s.url, "github", app, accepted!.body, { secret, delivery: accepted!.delivery });
  assert.equal(replay.status, 200);
  assert.equal(replay.body.duplicate, true);
  const replayNewId = await deliver(s.url, "github", app, accepted!.body, { secret });
  assert.equal(replayNewId.status, 200);
  assert.equal(replayNewId.body.duplicate, true);

  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await deploys()).length, beforeDeploys, "no deploy was triggered");
  assert.equal((await releases())[0].version, 3);
  const list = await deliveries();
  assert.ok(list.filter((d) => d.outcome.startsWith("refused: bad_signature")).length >= 6);
  assert.ok(list.some((d) => d.outcome.startsWith("refused: invalid_request")));
  const cli = await yk("hooks:deliveries", "-a", app);
  assert.match(cli.stdout, new RegExp(accepted!.delivery));
  assert.match(cli.stdout, /refused: bad_signature/);
});

test("a GitLab push with X-Gitlab-Token deploys; after --rotate the old secret is refused", async () => {
  const sha = await remote.head("main");
  const body = {
    ...JSON.parse(readFileSync(join(ROOT, "test/fixtures/webhooks/gitlab-push.json"), "utf8")),
    ref: "refs/heads/main",
    after: sha,
    checkout_sha: sha,
  };
  const r = await deliver(s.url, "gitlab", app, body, { secret });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.match(await outcomeOf(r.body.delivery), new RegExp(`^deployed ${app} v4`));
  assert.equal((await releases())[0].commit, sha);

  const rot = await yk("hooks:secret", "-a", app, "--rotate");
  const fresh = rot.stdout.trimEnd().split("\n").at(-1)!;
  assert.notEqual(fresh, secret);
  const next = await remote.commit("main", "CHANGE.txt", "4");
  const old = await deliver(s.url, "github", app, githubPush("main", next), { secret });
  assert.equal(old.status, 401);
  const ok = await deliver(s.url, "github", app, githubPush("main", next), { secret: fresh });
  assert.equal(ok.status, 202);
  assert.match(await outcomeOf(ok.body.delivery), /^deployed/);
});
