import { test } from "node:test";
import assert from "node:assert/strict";
import { captureLogger, createLogger } from "./logger.js";
import { openDb } from "../store/db.js";
import { Store } from "../store/store.js";
import { Keyring } from "../secrets/keyring.js";
import { systemClock } from "./clock.js";
import { DeployLogs } from "../engine/deploy-log.js";

test("JSON lines with time, level, msg and fields; levels below the threshold are dropped", () => {
  const lines: string[] = [];
  const log = createLogger({ level: "info", destination: { write: (s: string) => lines.push(s) } });
  log.debug("not shown");
  log.info("started", { port: 7700 });
  log.child({ requestId: "r1" }).warn("slow", { ms: 900 });
  assert.equal(lines.length, 2);
  const [a, b] = lines.map((l) => JSON.parse(l));
  assert.equal(a.level, "info");
  assert.equal(a.msg, "started");
  assert.equal(a.port, 7700);
  assert.match(a.time, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual([b.level, b.requestId, b.ms], ["warn", "r1", 900]);
  assert.ok(lines.every((l) => l.endsWith("\n") && !l.slice(0, -1).includes("\n")));
});

test("--log-format pretty: one short line per event", () => {
  const out: string[] = [];
  const log = createLogger({ format: "pretty", destination: { write: (s: string) => out.push(s) } });
  log.child({ deployId: 7 }).error("build failed", { app: "shop" });
  assert.match(out[0], /^\d\d:\d\d:\d\d\.\d{3} ERROR build failed {2}deployId=7 app=shop\n$/);
});

test("every line of a deploy's log reaches the server log with its deploy id and app", () => {
  const store = new Store(openDb(":memory:"), systemClock, Keyring.ephemeral());
  store.createApp("shop");
  const d = store.createDeploy({
    app: "shop",
    source: "tar",
    commit: null,
    ref: null,
    actor: "admin",
    intent: { changes: [], description: "Deploy" },
  });
  const log = captureLogger();
  const logs = new DeployLogs(store, log);
  logs.line(d.id, "-----> Building");
  logs.line(d.id, "Step 1/3 : FROM node");
  logs.end(d.id);
  assert.deepEqual(
    log.entries.map((e) => [e.msg, e.deployId, e.app]),
    [
      ["-----> Building", d.id, "shop"],
      ["Step 1/3 : FROM node", d.id, "shop"],
    ],
  );
  assert.deepEqual(store.readLog(d.id), ["-----> Building", "Step 1/3 : FROM node"]);
});
