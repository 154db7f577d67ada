import { test } from "node:test";
import assert from "node:assert/strict";
import { diagnose, hasFailures, type DoctorFacts } from "./doctor.js";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const healthy = (): DoctorFacts => ({
  docker: { version: "20.10.24", apiVersion: "1.41", systemTimeMs: NOW + 500 },
  router: { running: true, drift: [], rejectedCertificates: [] },
  disks: [
    {
      path: "/var/lib/yadokari",
      what: "data directory",
      freeBytes: 50e9,
      totalBytes: 100e9,
      freeInodes: 5e6,
      totalInodes: 6e6,
    },
  ],
  clockMs: NOW,
  ports: [{ what: "the router's HTTP listener", address: "0.0.0.0:80", open: true }],
  domain: "apps.example.com",
  dns: { name: "yadokari-doctor.apps.example.com", addresses: ["203.0.113.7"], error: null },
  localAddresses: ["127.0.0.1", "203.0.113.7"],
  certificates: [{ names: ["shop.example.com"], notAfter: NOW + 60 * 86_400_000, source: "acme" }],
  apps: [{ app: "shop", serving: true, missing: [] }],
  cron: [{ app: "shop", job: "report", status: "succeeded", finishedAt: null }],
  backups: {
    scheduled: true,
    everyHours: 24,
    last: { ok: true, at: new Date(NOW - 3_600_000).toISOString(), message: "" },
  },
});

test("a healthy host: every check ok, nothing to do", () => {
  const checks = diagnose(healthy());
  assert.deepEqual(
    checks.filter((c) => c.status !== "ok"),
    [],
  );
  assert.equal(hasFailures(checks), false);
  assert.deepEqual([...new Set(checks.map((c) => c.name))].sort(), [
    "apps",
    "backups",
    "certificates",
    "clock",
    "disk",
    "dns",
    "docker",
    "ports",
    "router",
  ]);
});

test("each problem fails (or warns) with what to do", () => {
  const f = healthy();
  f.router.drift = ["not applied: add server b/x 10.0.0.2:5000"];
  f.disks[0].freeInodes = 0.02 * f.disks[0].totalInodes;
  f.docker = { version: "20.10.24", apiVersion: "1.41", systemTimeMs: NOW + 60_000 };
  f.ports[0].open = false;
  f.dns = { name: "yadokari-doctor.apps.example.com", addresses: [], error: "ENOTFOUND" };
  f.certificates.push(
    { names: ["old.example.com"], notAfter: NOW - 2 * 86_400_000, source: "uploaded" },
    { names: ["soon.example.com"], notAfter: NOW + 3 * 86_400_000, source: "acme" },
  );
  f.apps.push({ app: "blog", serving: false, missing: ["web 0/1 routed"] });
  f.cron[0].status = "failed";
  f.backups.last = { ok: false, at: new Date(NOW).toISOString(), message: "ENOSPC" };
  const checks = diagnose(f);
  const by = (name: string, status: string) => checks.filter((c) => c.name === name && c.status === status);
  assert.equal(by("router", "fail").length, 1);
  assert.equal(by("disk", "fail").length, 1);
  assert.match(by("clock", "fail")[0].detail, /differ by 60 s/);
  assert.equal(by("ports", "fail").length, 1);
  assert.match(by("dns", "warn")[0].fix, /wildcard DNS record \*\.apps\.example\.com/);
  assert.match(by("certificates", "fail")[0].detail, /old\.example\.com expired 2 days ago/);
  assert.match(by("certificates", "warn")[0].detail, /soon\.example\.com expires in 3 days/);
  assert.match(by("apps", "fail")[0].detail, /blog: .*web 0\/1 routed/);
  assert.match(by("cron", "warn")[0].fix, /yk cron:runs -a shop report/);
  assert.match(by("backups", "fail")[0].detail, /failed: ENOSPC/);
  for (const c of checks.filter((x) => x.status !== "ok")) assert.ok(c.fix.length > 10, `${c.name} says what to do`);
  assert.equal(hasFailures(checks), true);
});

test("Docker down, no backups, a stale scheduled backup", () => {
  const f = healthy();
  f.docker = { error: "connect ENOENT /var/run/docker.sock" };
  f.backups = { scheduled: false, everyHours: null, last: null };
  const checks = diagnose(f);
  assert.equal(checks.find((c) => c.name === "docker")!.status, "fail");
  assert.equal(
    checks.find((c) => c.name === "clock"),
    undefined,
    "no clock to compare with",
  );
  assert.equal(checks.find((c) => c.name === "backups")!.status, "warn");
  const g = healthy();
  g.backups.last!.at = new Date(NOW - 3 * 86_400_000).toISOString();
  assert.equal(diagnose(g).find((c) => c.name === "backups")!.status, "fail");
  const low = healthy();
  low.disks[0].freeBytes = 10e9;
  assert.equal(diagnose(low).find((c) => c.name === "disk")!.status, "warn");
});
