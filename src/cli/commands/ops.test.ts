import { test } from "node:test";
import assert from "node:assert/strict";
import { renderDoctor, renderRestore, renderStatus } from "./ops.js";
import type { StatusView } from "../../ops/operations.js";

const status: StatusView = {
  server: {
    pid: 42,
    version: "0.2.0",
    schemaVersion: 8,
    startedAt: "2026-06-01T00:00:00Z",
    uptimeSec: 3725,
    dataDir: "/var/lib/yadokari",
    draining: false,
  },
  router: { pid: 43, running: true, workerPid: 44, uptimeSec: 90, version: "2.6.12" },
  docker: { reachable: true, version: "20.10.24", apiVersion: "1.41", error: null },
  apps: { expected: 3, serving: 2, notServing: [{ app: "blog", missing: ["web 0/1 routed"] }] },
  coldStart: { expected: 3, durationMs: 4200, finishedAt: "2026-06-01T00:00:04Z" },
};

test("status: one line per process, the apps not serving with what is missing, the cold start's time", () => {
  const out = renderStatus(status);
  assert.match(out, /^server: +running, pid 42, version 0\.2\.0 \(schema 8\), up 1h2m$/m);
  assert.match(out, /^router: +running, HAProxy 2\.6\.12 pid 43 \(worker 44\), up 1m30s$/m);
  assert.match(out, /^docker: +reachable, version 20\.10\.24 \(API 1\.41\)$/m);
  assert.match(out, /^apps: +2\/3 serving\n +blog: web 0\/1 routed$/m);
  assert.match(out, /^start: +every app \(3\) served 4\.2 s after the server started$/m);
  const down = renderStatus({
    ...status,
    router: { ...status.router, running: false },
    docker: { ...status.docker, reachable: false, error: "ENOENT" },
    coldStart: { expected: 3, durationMs: null, finishedAt: null },
  });
  assert.match(down, /router: +NOT RUNNING \(pid 43 does not answer\)/);
  assert.match(down, /docker: +NOT REACHABLE: ENOENT/);
  assert.match(down, /start: +3 apps to bring up; not all serving yet/);
});

test("doctor: a mark per check, what to do under each problem, a count at the end", () => {
  const out = renderDoctor([
    { name: "docker", status: "ok", detail: "Docker 20.10", fix: "" },
    { name: "dns", status: "warn", detail: "x does not resolve", fix: "Point a wildcard record" },
    { name: "apps", status: "fail", detail: "blog: not running", fix: "yk ps -a blog" },
  ]);
  assert.match(out, /^ok {3}docker {7}Docker 20\.10$/m);
  assert.match(out, /^WARN dns {10}x does not resolve\n {18}→ Point a wildcard record$/m);
  assert.match(out, /^FAIL apps/m);
  assert.match(out, /^1 problem, 1 warning$/m);
  assert.match(renderDoctor([{ name: "docker", status: "ok", detail: "fine", fix: "" }]), /No problems found\./);
});

test("restore: what came back, app by app, and what to do next", () => {
  const out = renderRestore(
    {
      madeBy: "0.1.0",
      createdAt: "2026-06-01T00:00:00Z",
      schemaVersion: 8,
      durationMs: 1500,
      apps: [
        { name: "shop", liveVersion: 3, image: "yadokari/shop:abc", imageStatus: "rebuilt", why: null },
        { name: "blog", liveVersion: 1, image: "yadokari/blog:def", imageStatus: "missing", why: "uploaded archive" },
        { name: "new", liveVersion: null, image: null, imageStatus: "none", why: null },
      ],
    },
    "/var/lib/yadokari",
  );
  assert.match(
    out,
    /Restored a backup of Yadokari 0\.1\.0 made 2026-06-01T00:00:00Z \(schema 8\) into \/var\/lib\/yadokari in 1\.5 s\./,
  );
  assert.match(out, /shop +v3 +yadokari\/shop:abc +rebuilt/);
  assert.match(out, /blog +v1 +yadokari\/blog:def +MISSING: uploaded archive/);
  assert.match(out, /new +- +- +none/);
  assert.match(out, /Start the server now/);
});
