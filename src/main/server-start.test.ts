import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** `yk server` with a wrong setting: refused before anything starts (no Docker, no data dir, no port). */
const CLI = fileURLToPath(new URL("./cli.js", import.meta.url));

function server(args: string[], env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "yk-settings-"));
  const dataDir = join(dir, "data");
  try {
    const r = spawnSync(process.execPath, [CLI, "server", "--data-dir", dataDir, ...args], {
      encoding: "utf8",
      timeout: 15_000,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    });
    return { ...r, started: existsSync(dataDir) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("YADOKARI_DRAIN_TIMEOUT=abc stops the server with the name, the value and what is allowed", () => {
  const r = server([], { YADOKARI_DRAIN_TIMEOUT: "abc" });
  assert.equal(r.status, 1);
  assert.equal(
    r.stderr,
    'Error: YADOKARI_DRAIN_TIMEOUT="abc" is not allowed: expected whole seconds, 0 to 3600\n' +
      "Hint: Fix or unset YADOKARI_DRAIN_TIMEOUT; docs/settings.md lists every setting.\n",
  );
  assert.equal(r.started, false, "nothing was created");
});

test("a flag with a value it does not allow is refused the same way", () => {
  const r = server(["--access-log", "sometimes"], {});
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^Error: --access-log="sometimes" is not allowed: expected on, off$/m);
  assert.equal(r.started, false);
});

test("--print-config prints the settings and exits without starting anything", () => {
  const r = server(["--print-config", "--domain", "apps.example.com"], { YADOKARI_STOP_TIMEOUT: "3" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^YADOKARI_DOMAIN=apps\.example\.com +# flag$/m);
  assert.match(r.stdout, /^YADOKARI_STOP_TIMEOUT=3 +# env$/m);
  assert.match(r.stdout, /^YADOKARI_DATA_DIR=\S+ +# flag$/m);
  assert.equal(r.started, false);
});
