import { test } from "node:test";
import assert from "node:assert/strict";
import { pushAction } from "./push-action.js";

const SHA = "a".repeat(40);
const push = (branch: string | null, deleted = false) => ({
  ref: branch ? `refs/heads/${branch}` : "refs/tags/v1",
  branch,
  deleted,
  after: deleted ? null : SHA,
});
const state = (over: Partial<Parameters<typeof pushAction>[2]> = {}) => ({
  sourceBranch: "main",
  reviewAppsEnabled: true,
  reviewAppOfBranch: null,
  ...over,
});

test("the app's own branch deploys its head; its deletion is ignored (the app keeps running)", () => {
  assert.deepEqual(pushAction("web", push("main"), state()), { kind: "deploy", branch: "main", commit: SHA });
  assert.deepEqual(pushAction("web", push("main", true), state()), {
    kind: "ignore",
    reason: "web's own branch main was deleted; the app keeps running",
  });
});

test("another branch: a review app deploys it, its deletion destroys the review app", () => {
  assert.deepEqual(pushAction("web", push("feat"), state()), { kind: "review", branch: "feat", commit: SHA });
  assert.deepEqual(pushAction("web", push("feat", true), state({ reviewAppOfBranch: "web-feat" })), {
    kind: "destroy-review",
    branch: "feat",
    reviewApp: "web-feat",
  });
  assert.equal(pushAction("web", push("feat", true), state()).kind, "ignore");
});

test("ignored: tags, no connected repository, other branches with review apps off", () => {
  assert.deepEqual(pushAction("web", push(null), state()), { kind: "ignore", reason: "refs/tags/v1 is not a branch" });
  assert.match(
    (pushAction("web", push("main"), state({ sourceBranch: null })) as { reason: string }).reason,
    /no repository connected/,
  );
  assert.deepEqual(pushAction("web", push("feat"), state({ reviewAppsEnabled: false })), {
    kind: "ignore",
    reason: "feat is not web's branch main, and review apps are off",
  });
});
