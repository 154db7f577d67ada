import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CliError } from "../api-client.js";
import { listEntries } from "../pack.js";
import { checkManifests } from "./deploy.js";

test("yk deploy refuses a bad app.json or Procfile with its path before uploading; an ignored one is not read", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "yk-manifest-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "Dockerfile"), "FROM scratch\n");
  writeFileSync(join(dir, "Procfile"), "web: node server.js\n");
  writeFileSync(join(dir, "app.json"), JSON.stringify({ formation: { web: { quantity: 2 } } }));
  await checkManifests(dir, await listEntries(dir));

  writeFileSync(join(dir, "app.json"), JSON.stringify({ cron: [{ command: "x", schedule: "every day" }] }));
  await assert.rejects(
    checkManifests(dir, await listEntries(dir)),
    (e: unknown) =>
      e instanceof CliError &&
      e.code === "invalid_manifest" &&
      /^app\.json: cron\[0\]\.schedule: .*Nothing was uploaded\.$/.test(e.message),
  );
  writeFileSync(join(dir, "app.json"), "{}");
  writeFileSync(join(dir, "Procfile"), "web: node server.js\nworker node worker.js\n");
  await assert.rejects(
    checkManifests(dir, await listEntries(dir)),
    (e: unknown) => e instanceof CliError && e.message.startsWith("Procfile line 2: "),
  );
  // a Procfile that .dockerignore leaves out is not sent, so not checked
  writeFileSync(join(dir, ".dockerignore"), "Procfile\n");
  await checkManifests(dir, await listEntries(dir));
});
