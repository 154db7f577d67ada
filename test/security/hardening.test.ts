import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { call, docker, ruleBroken, startTenants, uploadDir, waitDeploy, yk, ROOT, type Tenants } from "./harness.js";

/**
 * App containers are hardened by default (issue #11, "isolation by
 * construction"): no new privileges, Docker's default capabilities minus those
 * apps never need, a pids limit, and never the Docker socket. Checked on a web
 * container and from inside a one-off run, as the app sees itself.
 */
let t: Tenants;
let root: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), "yk-sec-hard-"));
  t = await startTenants("sec-hard", { YADOKARI_STORAGE_ROOTS: root, YADOKARI_PIDS_LIMIT: "300" });
  const up = await uploadDir(t.s, t.tokens.deployerA, t.a, join(ROOT, "test/fixtures/apps/good"));
  assert.equal(up.status, 202, up.text);
  assert.equal((await waitDeploy(t.s, t.tokens.deployerA, t.a, up.body.id)).status, "succeeded");
});

after(async () => {
  await t?.s.close();
  rmSync(root, { recursive: true, force: true });
});

const DROPPED = ["NET_RAW", "MKNOD", "AUDIT_WRITE", "SETFCAP", "SETPCAP", "SYS_CHROOT"];
/** Linux capability numbers (include/uapi/linux/capability.h) */
const CAP_BIT: Record<string, number> = {
  MKNOD: 27,
  NET_RAW: 13,
  AUDIT_WRITE: 29,
  SETFCAP: 31,
  SETPCAP: 8,
  SYS_CHROOT: 18,
};

test("a web container runs with no-new-privileges, without NET_RAW and the like, and with a pids limit", async () => {
  const [web] = await docker.listContainers({
    filters: { label: [`yadokari.app=${t.a}`, "yadokari.process=web"], status: ["running"] },
  });
  assert.ok(web, "a running web container");
  const hc = (await docker.getContainer(web.Id).inspect()).HostConfig;
  assert.ok(hc.SecurityOpt?.includes("no-new-privileges"), JSON.stringify(hc.SecurityOpt));
  for (const cap of DROPPED) assert.ok(hc.CapDrop?.includes(cap), `${cap} dropped: ${JSON.stringify(hc.CapDrop)}`);
  assert.equal(hc.PidsLimit, 300);
  assert.equal(hc.Privileged, false);
  assert.ok(!(hc.Binds ?? []).some((b) => b.includes("docker.sock")));
});

test("from inside a run: NoNewPrivs is set, the dropped capabilities are gone, forks stop at the limit", async () => {
  const r = await yk(t.s, t.tokens.deployerA, [
    "run",
    "-a",
    t.a,
    "--",
    "sh",
    "-c",
    "grep -E '^(NoNewPrivs|CapEff)' /proc/self/status; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /NoNewPrivs:\s+1/);
  const capEff = BigInt(`0x${/CapEff:\s+([0-9a-f]+)/.exec(r.stdout)![1]}`);
  for (const cap of DROPPED) assert.equal((capEff >> BigInt(CAP_BIT[cap])) & 1n, 0n, `${cap} is not effective`);
  assert.match(r.stdout, /^300$/m);
  // a fork bomb is bounded: of 400 sleepers, the ones past the limit fail to start (EAGAIN)
  const bomb = await yk(t.s, t.tokens.deployerA, [
    "run",
    "-a",
    t.a,
    "--",
    "node",
    "-e",
    `const { spawn } = require("child_process");
     let ok = 0, failed = 0;
     for (let i = 0; i < 400; i++) {
       const c = spawn("sleep", ["3"]);
       c.on("spawn", () => ok++);
       c.on("error", () => failed++);
     }
     setTimeout(() => console.log("started=" + ok + " failed=" + failed), 1500);`,
  ]);
  const started = Number(/started=(\d+)/.exec(bomb.stdout)?.[1] ?? "-1");
  const failed = Number(/failed=(\d+)/.exec(bomb.stdout)?.[1] ?? "-1");
  assert.ok(started > 0 && started < 300 && failed > 100, `${bomb.stdout} ${bomb.stderr}`);
});

test("the Docker socket is never mountable: not directly, not through a link in the app's directory", async () => {
  const dir = join(root, t.a);
  mkdirSync(dir, { recursive: true });
  symlinkSync("/var/run", join(dir, "run"));
  for (const source of [
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run",
    join(dir, "run"),
    join(dir, "run", "docker.sock"),
  ]) {
    const r = await call(t.s, t.tokens.deployerA, "POST", `/api/v1/apps/${t.a}/storage`, {
      source,
      containerPath: "/s",
    });
    assert.ok(ruleBroken(r, "invalid_mount"), `${source}: ${r.status} ${r.text}`);
    const admin = await call(t.s, t.s.token, "POST", `/api/v1/apps/${t.a}/storage`, {
      source,
      containerPath: "/s",
      shared: true,
    });
    assert.ok(ruleBroken(admin, "invalid_mount"), `even shared by an admin: ${source}: ${admin.status} ${admin.text}`);
  }
});
