import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestServer, FIXTURES, ROOT, docker, uniqueApp } from "../helpers/yadokari.js";
import { run } from "../../src/lib/run.js";

/**
 * The system service: the units `npm run up` installs pass `systemd-analyze
 * verify` (no systemd as PID 1 needed), and `router:check`, which the router
 * unit runs before HAProxy starts at boot, tells a config that still matches
 * the running containers from one that no longer does.
 */
const CLI = join(ROOT, "dist/src/main/cli.js");
const yk = (...args: string[]) => run(process.execPath, [CLI, ...args], { timeoutMs: 60_000 });
const dirs: string[] = [];
let s: TestServer | null = null;
after(async () => {
  await s?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test("the systemd units pass systemd-analyze verify", async () => {
  const out = mkdtempSync(join(tmpdir(), "yk-units-"));
  dirs.push(out);
  const w = await yk("service:units", "--out", out, "--data-dir", "/var/lib/yadokari");
  assert.equal(w.code, 0, w.stderr);
  for (const unit of ["yadokari.service", "yadokari-router.service"]) {
    const v = await run("systemd-analyze", ["verify", join(out, unit)], { cwd: out, timeoutMs: 60_000 });
    assert.equal(v.code, 0, `${unit}: ${v.stderr}`);
    assert.doesNotMatch(
      v.stderr,
      new RegExp(`${unit.replace(".", "\\.")}:\\d+:`),
      `${unit} has no warnings: ${v.stderr}`,
    );
  }
  const server = readFileSync(join(out, "yadokari.service"), "utf8");
  assert.match(server, new RegExp(`ExecStart=${process.execPath} ${CLI} server`));
});

test("router:check passes while the rendered config matches the running containers, and fails once one is gone", async () => {
  s = await TestServer.start({ https: false });
  const app = uniqueApp("it-rchk");
  await s.createApp(app);
  assert.equal((await s.deploy(app, join(FIXTURES, "good"))).status, "succeeded");
  const good = await yk("router:check", "--data-dir", s.dataDir);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /matches the running containers \(1 servers\)/);
  await s.stop(); // no reconciler to replace what goes next
  const [c] = await docker.listContainers({ filters: { label: [`yadokari.app=${app}`, "yadokari.process=web"] } });
  await docker.getContainer(c.Id).remove({ force: true });
  const bad = await yk("router:check", "--data-dir", s.dataDir);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /the router's last config is out of date: yk-.* \(no such container\)/);
});
