import { test } from "node:test";
import assert from "node:assert/strict";
import { oneOffUnitSpec, processUnitSpec } from "../engine/plan/unit-spec.js";
import { containerBody } from "../engines/local/container-body.js";
import type { UnitSpec } from "../engines/engine.js";

const body = (spec: UnitSpec) => containerBody(spec, "yadokari");
import { EMPTY_MANIFEST, type Release } from "../domain/types.js";

const release: Release = {
  id: 1,
  app: "web",
  version: 4,
  image: "yadokari/web:abc",
  commit: null,
  description: "",
  processes: { web: "node server.js" },
  config: { A: "1" },
  healthcheck: { path: "/" } as Release["healthcheck"],
  formation: { web: 1 },
  manifest: EMPTY_MANIFEST,
  createdBy: "test",
  createdAt: "",
};
const mounts = [
  { hostPath: "/var/lib/yadokari-storage/web", containerPath: "/data" },
  { hostPath: "cache", containerPath: "/cache" },
];

test("no spec Yadokari builds is privileged or gains host namespaces, capabilities or devices; all are hardened", () => {
  const specs = [
    processUnitSpec(release, "web", "a1", 10, mounts),
    oneOffUnitSpec(release, "run", ["sh", "-c", "id"], "b2", { mounts, tty: true, stdin: true }),
    oneOffUnitSpec(release, "run", ["ls"], "c3", { mounts, labels: { "yadokari.run.detach": "true" } }),
    oneOffUnitSpec(release, "cron", "echo hi", "d4", { mounts }),
    oneOffUnitSpec(release, "release", "migrate", "e5", { mounts }),
  ].map(body);
  for (const spec of specs) {
    const host = spec.HostConfig as Record<string, unknown>;
    for (const key of ["CapAdd", "Devices", "PidMode", "IpcMode", "UsernsMode", "Mounts", "VolumesFrom"])
      assert.equal(host[key], undefined, `${spec.name}: HostConfig.${key}`);
    // hardened by default: only ever what src/docker/hardening.ts adds
    assert.equal(host.Privileged, false);
    assert.deepEqual(host.SecurityOpt, ["no-new-privileges"]);
    assert.ok((host.CapDrop as string[]).includes("NET_RAW"));
    assert.ok((host.PidsLimit as number) > 0);
    assert.notEqual(host.NetworkMode, "host");
    // mounts reach Docker as plain source:target binds, with no options
    assert.deepEqual(spec.HostConfig.Binds, ["/var/lib/yadokari-storage/web:/data", "cache:/cache"]);
  }
});

test("a run's argv reaches Docker as is: no shell is added", () => {
  const argv = ["echo", "; touch /tmp/pwned", "$(id)"];
  const spec = body(oneOffUnitSpec(release, "run", argv, "f6", { tty: false, stdin: true }));
  assert.deepEqual(spec.Cmd, argv);
  assert.equal(spec.Labels["yadokari.kind"], "run");
  assert.ok(spec.Env.includes("YADOKARI_RELEASE=v4") && spec.Env.includes("A=1"));
  assert.equal(spec.OpenStdin, true);
  assert.equal(spec.StdinOnce, true);
});
