import { test } from "node:test";
import assert from "node:assert/strict";
import { parseProcfile } from "./procfile.js";
import { parseAppJson, DEFAULT_HEALTHCHECK } from "./app-json.js";

test("Procfile: types and commands, comments and blanks skipped", () => {
  assert.deepEqual(parseProcfile("# c\nweb: node server.js --port $PORT\n\nworker:  node w.js\n"), { web: "node server.js --port $PORT", worker: "node w.js" });
});

test("Procfile: errors carry the line number", () => {
  assert.throws(() => parseProcfile("web: a\nweb: b"), /line 2: process type 'web' is already defined on line 1/);
  assert.throws(() => parseProcfile("web: a\n<<<<<<< HEAD\n"), /line 2: merge-conflict marker/);
  assert.throws(() => parseProcfile("web node"), /line 1: expected 'type: command'/);
  assert.throws(() => parseProcfile("web:   "), /line 1: process type 'web' has no command/);
});

test("app.json: default health check without healthchecks", () => {
  assert.deepEqual(parseAppJson(null).healthcheck, DEFAULT_HEALTHCHECK);
  assert.deepEqual(parseAppJson("{}").healthcheck, DEFAULT_HEALTHCHECK);
  assert.equal(DEFAULT_HEALTHCHECK.maxStatus, 500);
  assert.equal(DEFAULT_HEALTHCHECK.deadline, 60);
});

test("app.json: Dokku's healthchecks.web", () => {
  const hc = parseAppJson(JSON.stringify({ healthchecks: { web: [{ type: "startup", path: "/health", attempts: 3, timeout: 2, wait: 1, initialDelay: 1, content: "ok" }] } })).healthcheck;
  assert.deepEqual(hc, { path: "/health", timeout: 2, wait: 1, initialDelay: 1, attempts: 3, content: "ok", maxStatus: 400, deadline: 10 });
});

test("app.json: errors name the field", () => {
  assert.throws(() => parseAppJson("{"), /app.json: not valid JSON/);
  assert.throws(() => parseAppJson(JSON.stringify({ healthchecks: { web: [{ path: "/", timeout: "5" }] } })), /app.json: healthchecks.web\[0\].timeout: must be a number/);
  assert.throws(() => parseAppJson(JSON.stringify({ healthchecks: { web: [{ path: "health" }] } })), /healthchecks.web\[0\].path/);
});
