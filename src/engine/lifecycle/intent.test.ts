import { test } from "node:test";
import assert from "node:assert/strict";
import { foldIntents, type DeployIntent, type ReleaseContent } from "./intent.js";
import { applyChanges, configDelta } from "./release-change.js";
import { DEFAULT_HEALTHCHECK } from "../../manifest/app-json.js";
import { EMPTY_MANIFEST, type Release } from "../../domain/types.js";

const upload = (n: string) => ({ path: `/tmp/${n}.tar`, sha256: n, bytes: 1, gzip: false });
const build = (n: string): DeployIntent => ({
  changes: [{ kind: "build", upload: upload(n), commit: null, ref: null }],
  description: `Deploy ${n}`,
});
const config = (set: Record<string, string>, unset: string[] = []): DeployIntent => ({
  changes: [{ kind: "config", set, unset }],
  description: `Set ${Object.keys(set).join(", ")}`,
});
const restart = (types: string[] | null): DeployIntent => ({
  changes: [{ kind: "restart", types }],
  description: "Restart",
});

test("fold: config changes all apply in order; only the last source is built (older uploads dropped)", () => {
  const { intent, dropped } = foldIntents([build("a"), config({ X: "1" }), build("b"), config({ Y: "2" })]);
  assert.deepEqual(
    intent.changes.map((c) => c.kind),
    ["config", "build", "config"],
  );
  assert.equal((intent.changes[1] as { upload: { path: string } }).upload.path, "/tmp/b.tar");
  assert.deepEqual(
    dropped.map((c) => (c as { upload: { path: string } }).upload.path),
    ["/tmp/a.tar"],
  );
  assert.equal(intent.description, "Deploy a, then Set X, then Deploy b, then Set Y");
});

test("fold: restarts are moot beside a new release, merge alone; a switch back folded becomes a rollback", () => {
  assert.deepEqual(
    foldIntents([restart(["web"]), config({ X: "1" })]).intent.changes.map((c) => c.kind),
    ["config"],
  );
  assert.deepEqual(foldIntents([restart(["web"]), restart(["worker"])]).intent.changes, [
    { kind: "restart", types: ["web", "worker"] },
  ]);
  assert.deepEqual(foldIntents([restart(["web"]), restart(null)]).intent.changes, [{ kind: "restart", types: null }]);
  const sb: DeployIntent = { changes: [{ kind: "switch-back", releaseId: 1, version: 1 }], description: "Rollback" };
  assert.equal(foldIntents([sb]).intent.changes[0].kind, "switch-back");
  assert.equal(foldIntents([sb, config({ X: "1" })]).intent.changes[0].kind, "rollback");
});

const content = (image: string, over: Partial<ReleaseContent> = {}): ReleaseContent => ({
  image,
  commit: null,
  processes: { web: null },
  healthcheck: DEFAULT_HEALTHCHECK,
  manifest: EMPTY_MANIFEST,
  ...over,
});
const release = (version: number, over: Partial<Release> = {}): Release => ({
  id: version,
  app: "shop",
  version,
  ...content(`img:${version}`),
  description: "",
  config: { A: "1" },
  formation: { web: 1 },
  createdBy: "admin",
  createdAt: "",
  ...over,
});

test("a release change is a pure function of the live release and the app's state", () => {
  const live = release(3);
  const app = { config: { A: "1", B: "2" }, formation: { web: 2 } };
  // config: on the app's vars (which may hold values set without a restart)
  assert.deepEqual(applyChanges(live, app, [{ kind: "config", set: { C: "3" }, unset: ["A"] }]), {
    kind: "release",
    content: content("img:3"),
    state: { config: { B: "2", C: "3" }, formation: { web: 2 } },
  });
  // rollback: the old release's content, config and formation
  const old = release(1, { config: { OLD: "x" }, formation: { web: 1, worker: 1 } });
  const r = applyChanges(live, app, [
    { kind: "restore", release: old },
    { kind: "config", set: { N: "1" }, unset: [] },
  ]);
  assert.equal(r.kind === "release" && r.content.image, "img:1");
  assert.deepEqual(r.kind === "release" && r.state, { config: { OLD: "x", N: "1" }, formation: { web: 1, worker: 1 } });
  // new content: new process types get app.json's formation, the app's own counts win
  const c = content("img:9", {
    processes: { web: null, worker: "w" },
    manifest: { ...EMPTY_MANIFEST, formation: { web: 5, worker: 3 } },
  });
  const b = applyChanges(live, app, [{ kind: "content", content: c }]);
  assert.deepEqual(b.kind === "release" && b.state.formation, { web: 2, worker: 3 });
  // a restart alone makes no release
  assert.deepEqual(applyChanges(live, app, [{ kind: "restart", types: ["web"] }]), { kind: "restart", types: ["web"] });
  // nothing to change without a live release (except new content)
  assert.throws(() => applyChanges(null, app, [{ kind: "config", set: { X: "1" }, unset: [] }]), /no live release/);
  assert.equal(applyChanges(null, app, [{ kind: "content", content: c }]).kind, "release");
  // the inputs are untouched
  assert.deepEqual(app, { config: { A: "1", B: "2" }, formation: { web: 2 } });
});

test("config delta: only the keys that change, __proto__ kept as a plain key", () => {
  assert.deepEqual(configDelta({ A: "1", B: "2" }, { A: "1", B: "3", C: "4" }), { set: { B: "3", C: "4" }, unset: [] });
  assert.deepEqual(configDelta({ A: "1" }, {}), { set: {}, unset: ["A"] });
  assert.equal(configDelta({ A: "1" }, { A: "1" }), null);
  const after = JSON.parse('{"__proto__": "x"}');
  const d = configDelta({}, after)!;
  assert.deepEqual(Object.keys(d.set), ["__proto__"]);
  assert.equal(Object.getPrototypeOf(d.set), Object.prototype);
});
