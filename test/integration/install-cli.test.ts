import { test } from "node:test";
import assert from "node:assert/strict";
import { lstatSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/yadokari.js";
import { run } from "../../src/lib/run.js";

/** scripts/install-cli.sh (what `npm run up` runs): yk and yadokari on the PATH, idempotent, nobody's file replaced. */
test("install-cli puts yk and yadokari on the PATH, again without change, and never replaces a file it did not make", async (t) => {
  const bin = mkdtempSync(join(tmpdir(), "yk-bin-"));
  t.after(() => rmSync(bin, { recursive: true, force: true }));
  const env = { ...process.env, YADOKARI_BIN_DIR: bin };
  const first = await run("bash", [join(ROOT, "scripts/install-cli.sh")], { env });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /put yk on the PATH/);
  for (const name of ["yk", "yadokari"]) assert.equal(readlinkSync(join(bin, name)), join(ROOT, "bin/yk.js"));
  // from anywhere, through the PATH
  const version = await run("yk", ["--version"], {
    env: { ...env, PATH: `${bin}:${process.env.PATH}` },
    cwd: tmpdir(),
  });
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  const again = await run("bash", [join(ROOT, "scripts/install-cli.sh")], { env });
  assert.match(again.stdout, /yk is on the PATH/);
  // a yadokari of someone else's stays
  rmSync(join(bin, "yadokari"));
  writeFileSync(join(bin, "yadokari"), "#!/bin/sh\n");
  const third = await run("bash", [join(ROOT, "scripts/install-cli.sh")], { env });
  assert.match(third.stdout, /yadokari exists and is not a link to this checkout: left alone/);
  assert.equal(lstatSync(join(bin, "yadokari")).isSymbolicLink(), false);
});
