import { test } from "node:test";
import assert from "node:assert/strict";
import { DrainGate, wouldChange } from "./drain.js";

test("changes, webhooks and git pushes start work; reads and git fetches do not", () => {
  assert.equal(wouldChange("POST", "/api/v1/apps/web/builds"), true);
  assert.equal(wouldChange("PATCH", "/api/v1/apps/web/config"), true);
  assert.equal(wouldChange("POST", "/hooks/github/web"), true);
  assert.equal(wouldChange("POST", "/git/web.git/git-receive-pack"), true);
  assert.equal(wouldChange("GET", "/git/web.git/info/refs?service=git-receive-pack"), true);
  assert.equal(wouldChange("GET", "/git/web.git/info/refs?service=git-upload-pack"), false);
  assert.equal(wouldChange("POST", "/git/web.git/git-upload-pack"), false);
  assert.equal(wouldChange("GET", "/api/v1/apps"), false);
  assert.equal(wouldChange("GET", "/api/v1/status"), false);
  assert.equal(wouldChange("POST", "/"), false);
});

test("the gate refuses only while draining", () => {
  const g = new DrainGate();
  assert.equal(g.refuses("POST", "/api/v1/apps"), false);
  g.start();
  assert.equal(g.draining, true);
  assert.equal(g.refuses("POST", "/api/v1/apps"), true);
  assert.equal(g.refuses("GET", "/api/v1/apps"), false);
});
