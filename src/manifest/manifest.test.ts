import { test } from "node:test";
import assert from "node:assert/strict";
import { parseProcfile } from "./procfile.js";
import { parseAppJson, DEFAULT_HEALTHCHECK } from "./app-json.js";

test("Procfile: types and commands, comments and blanks skipped", () => {
  assert.deepEqual(parseProcfile("# c\nweb: node server.js --port $PORT\n\nworker:  node w.js\n"), {
    web: "node server.js --port $PORT",
    worker: "node w.js",
  });
});

test("Procfile: errors carry the line number", () => {
  assert.throws(() => parseProcfile("web: a\nweb: b"), /line 2: process type 'web' is already defined on line 1/);
  assert.throws(() => parseProcfile("web: a\n<<<<<<< HEAD\n"), /line 2: merge-conflict marker/);
  assert.throws(() => parseProcfile("web node"), /line 1: expected 'type: command'/);
  assert.throws(() => parseProcfile("web:   "), /line 1: process type 'web' has no command/);
  assert.throws(() => parseProcfile("web: a\nrun: b"), /line 2: 'run' is reserved/);
});

test("app.json: default health check without healthchecks", () => {
  assert.deepEqual(parseAppJson(null).healthcheck, DEFAULT_HEALTHCHECK);
  assert.deepEqual(parseAppJson("{}").healthcheck, DEFAULT_HEALTHCHECK);
  assert.equal(DEFAULT_HEALTHCHECK.maxStatus, 500);
  assert.equal(DEFAULT_HEALTHCHECK.deadline, 60);
});

test("app.json: Dokku's healthchecks.web", () => {
  const hc = parseAppJson(
    JSON.stringify({
      healthchecks: {
        web: [{ type: "startup", path: "/health", attempts: 3, timeout: 2, wait: 1, initialDelay: 1, content: "ok" }],
      },
    }),
  ).healthcheck;
  assert.deepEqual(hc, {
    path: "/health",
    timeout: 2,
    wait: 1,
    initialDelay: 1,
    attempts: 3,
    content: "ok",
    maxStatus: 400,
    deadline: 10,
  });
});

test("app.json: errors name the field", () => {
  assert.throws(() => parseAppJson("{"), /app.json: not valid JSON/);
  assert.throws(
    () => parseAppJson(JSON.stringify({ healthchecks: { web: [{ path: "/", timeout: "5" }] } })),
    /app.json: healthchecks.web\[0\].timeout: must be a number/,
  );
  assert.throws(
    () => parseAppJson(JSON.stringify({ healthchecks: { web: [{ path: "health" }] } })),
    /healthchecks.web\[0\].path/,
  );
});

test("app.json: formation, predeploy, cron and yadokari.deploy", () => {
  const a = parseAppJson(
    JSON.stringify({
      formation: { web: { quantity: 2 }, worker: { quantity: 1 } },
      scripts: { dokku: { predeploy: "node migrate.js" } },
      cron: [
        { command: "node report.js", schedule: "@daily" },
        { name: "tick", command: "echo tick", schedule: "*/5 * * * *", concurrency_policy: "allow" },
      ],
      yadokari: { deploy: { maxSurge: "25%", pauseSec: 2 } },
    }),
  );
  assert.deepEqual(a.formation, { web: 2, worker: 1 });
  assert.equal(a.predeploy, "node migrate.js");
  assert.deepEqual(a.cron, [
    { name: "job-1", command: "node report.js", schedule: "@daily", concurrencyPolicy: "forbid" },
    { name: "tick", command: "echo tick", schedule: "*/5 * * * *", concurrencyPolicy: "allow" },
  ]);
  assert.deepEqual(a.deploy, { maxSurge: "25%", pauseSec: 2 });
});

test("app.json: the new fields' errors name the field", () => {
  assert.throws(
    () => parseAppJson(JSON.stringify({ formation: { web: { quantity: -1 } } })),
    /formation.web.quantity: must be a whole number/,
  );
  assert.throws(
    () => parseAppJson(JSON.stringify({ cron: [{ command: "x", schedule: "61 * * * *" }] })),
    /cron\[0\].schedule: minute field "61"/,
  );
  assert.throws(
    () => parseAppJson(JSON.stringify({ cron: [{ command: "", schedule: "@daily" }] })),
    /cron\[0\].command/,
  );
  assert.throws(
    () => parseAppJson(JSON.stringify({ yadokari: { deploy: { maxSurge: "200%" } } })),
    /yadokari.deploy.maxSurge/,
  );
  assert.throws(
    () => parseAppJson(JSON.stringify({ yadokari: { deploy: { surge: 1 } } })),
    /yadokari.deploy.surge: is not a setting/,
  );
  assert.throws(
    () => parseAppJson(JSON.stringify({ scripts: { dokku: { predeploy: 3 } } })),
    /scripts.dokku.predeploy/,
  );
});

test("app.json: formation.<type>.settle, whole seconds for non-web types, quantity optional with it", () => {
  const a = parseAppJson(JSON.stringify({ formation: { worker: { quantity: 1, settle: 5 }, clock: { settle: 0 } } }));
  assert.deepEqual(a.settle, { worker: 5, clock: 0 });
  assert.deepEqual(a.formation, { worker: 1 });
  assert.throws(
    () => parseAppJson(JSON.stringify({ formation: { worker: { settle: 1.5 } } })),
    /formation.worker.settle: must be whole seconds from 0 to 600/,
  );
  assert.throws(
    () => parseAppJson(JSON.stringify({ formation: { web: { quantity: 1, settle: 5 } } })),
    /formation.web.settle: applies to non-web processes only/,
  );
});
