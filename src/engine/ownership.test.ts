import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** The compiled sources (this test runs from dist/src/engine). */
const SRC = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return files(p);
    return p.endsWith(".js") && !p.endsWith(".test.js") && !p.includes("/testing/") ? [p] : [];
  });
}

const callers = (pattern: RegExp) =>
  files(SRC)
    .filter((f) => pattern.test(readFileSync(f, "utf8")))
    .map((f) => relative(SRC, f))
    .sort();

test("only the executor writes routed servers (the store defines the methods)", () => {
  assert.deepEqual(callers(/\.(upsertRoutedServer|removeRoutedServer)\(/), ["engine/execute/executor.js"]);
});

test("the router is synced by the executor's wiring, and otherwise only for app-level changes", () => {
  // apps (create, destroy, domains), deploy settings (sticky), the server's start: no routed-server state
  assert.deepEqual(callers(/\bsyncRouter\(/), [
    "engine/apps.js",
    "engine/execute/wiring.js",
    "engine/processes.js",
    "engine/router-sync.js",
    "main/server.js",
  ]);
});

test("nothing above the engine seam talks to Docker", () => {
  const users = callers(/docker\/(dockerode-adapter|port)\.js/);
  // cluster/ is the Swarm side's own Docker code (nodes, overlay, service specs), below the seam
  // the Swarm engine will implement; like engines/local/ it may speak Docker.
  const below = ["docker/", "engines/local/", "cluster/"];
  assert.deepEqual(
    users.filter((f) => !below.some((b) => f.startsWith(b))),
    ["api/routes/storage.js", "build/build-release.js", "main/restore.js", "main/server.js"],
    "only the composition roots (the server's, and `yadokari restore`'s), and the LABEL names for images and volumes",
  );
});
