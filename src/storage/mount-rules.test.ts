import { test } from "node:test";
import assert from "node:assert/strict";
import { isAppError } from "../errors/app-error.js";
import { parseMountArg, resolveThroughLinks, storageRoots, validateMount, type MountRules } from "./mount-rules.js";

const rules: MountRules = { roots: ["/srv/storage", "/data"], dataDir: "/var/lib/yadokari" };
const refused = (
  source: string,
  containerPath: string,
  pattern: RegExp,
  r: MountRules = rules,
  resolve?: (p: string) => string,
) =>
  assert.throws(
    () => validateMount({ source, containerPath }, r, resolve),
    (e: unknown) => isAppError(e) && e.code === "invalid_mount" && e.status === 422 && pattern.test(e.message),
    `${source}:${containerPath}`,
  );

test("host directories under a storage root and named volumes are accepted", () => {
  assert.deepEqual(validateMount({ source: "/srv/storage/web/logs", containerPath: "/app/logs" }, rules), {
    hostPath: "/srv/storage/web/logs",
    containerPath: "/app/logs",
  });
  assert.deepEqual(validateMount({ source: "/data/x", containerPath: "/x" }, rules), {
    hostPath: "/data/x",
    containerPath: "/x",
  });
  assert.deepEqual(validateMount({ source: "web-cache_1.v2", containerPath: "/cache" }, rules), {
    hostPath: "web-cache_1.v2",
    containerPath: "/cache",
  });
});

test("the Docker socket, system directories, the data dir and anything containing them are refused", () => {
  const wide: MountRules = { roots: ["/var", "/run", "/srv"], dataDir: "/srv/yk-data" };
  refused("/var/run/docker.sock", "/sock", /docker\.sock is never mounted/, wide);
  refused("/run/docker.sock", "/sock", /docker\.sock is never mounted/, wide);
  refused("/var/run", "/r", /contains \/var\/run\/docker\.sock/, wide);
  refused("/run", "/r", /contains \/run\/docker\.sock/, wide);
  refused("/srv/yk-data", "/d", /yk-data is never mounted/, wide);
  refused("/srv/yk-data/master.key", "/k", /inside \/srv\/yk-data/, wide);
  for (const p of ["/etc", "/proc", "/sys", "/dev", "/boot", "/root"]) refused(p, "/x", /is never mounted/);
  refused("/etc/ssh", "/x", /inside \/etc/);
  refused("/proc/1/root", "/x", /inside \/proc/);
  refused("/", "/x", /whole filesystem/);
});

test("host paths outside the storage roots are refused, also through a symlink", () => {
  refused("/home/me", "/x", /not under an allowed storage root \(\/srv\/storage, \/data\)/);
  refused("/srv/storage", "/x", /not under an allowed storage root/); // the root itself is shared by every app
  refused("/srv/storagex/a", "/x", /not under an allowed storage root/);
  refused("/srv/storage/link/ssh", "/x", /a link to \/etc\/ssh.*inside \/etc/, rules, (p) =>
    p.replace("/srv/storage/link", "/etc"),
  );
});

test("relative, '..', unnormalized and option-smuggling paths are refused with the rule", () => {
  refused("data/x", "/x", /relative path/);
  refused("./x", "/x", /relative path/);
  refused("../etc", "/x", /relative path/);
  refused("/srv/storage/../../etc", "/x", /contains '\.\.'/);
  refused("/srv/storage//a", "/x", /not normalized/);
  refused("/srv/storage/a/", "/x", /not normalized/);
  refused("/srv/storage/./a", "/x", /not normalized/);
  refused("/srv/storage/a", "x", /containerPath "x" is relative/);
  refused("/srv/storage/a", "/", /containerPath "\/" is refused/);
  refused("/srv/storage/a", "/app/../etc", /containerPath .* contains '\.\.'/);
  refused("/srv/storage/a", "/app:ro", /contains ':'/);
  refused("/srv/storage/a:/app:rshared", "/x", /contains ':'/);
  refused("/srv/storage/a\n", "/x", /control character/);
  refused("/srv/storage/a", "/x\u0000y", /control character/);
  refused("x", "/x", /volume name "x" must be 2 to 64/);
  refused("-vol", "/x", /volume name/);
  refused("vol;rm -rf", "/x", /volume name/);
  refused("$(id)", "/x", /volume name/);
  refused("", "/x", /non-empty/);
});

test("SOURCE:CONTAINER_PATH needs exactly one ':'", () => {
  assert.deepEqual(parseMountArg("/srv/storage/a:/app"), { source: "/srv/storage/a", containerPath: "/app" });
  for (const bad of ["/a", "/a:/b:ro", ":/b", "/a:", "vol:/b:rw,z"])
    assert.throws(
      () => parseMountArg(bad),
      (e: unknown) => isAppError(e) && e.code === "invalid_mount",
    );
});

test("YADOKARI_STORAGE_ROOTS: colon-separated; relative, '/' and unnormalized entries are ignored", () => {
  assert.deepEqual(storageRoots(undefined), ["/var/lib/yadokari-storage"]);
  assert.deepEqual(storageRoots("/a:/b/c"), ["/a", "/b/c"]);
  assert.deepEqual(storageRoots("/:rel:/x/../y:/ok/:/fine"), ["/fine"]);
});

test("links are resolved through the deepest existing ancestor", () => {
  const real: Record<string, string> = { "/srv": "/srv", "/srv/storage": "/srv/storage", "/srv/storage/link": "/etc" };
  assert.equal(
    resolveThroughLinks("/srv/storage/link/new/dir", (p) => real[p] ?? null),
    "/etc/new/dir",
  );
  assert.equal(
    resolveThroughLinks("/srv/storage/a/b", (p) => real[p] ?? null),
    "/srv/storage/a/b",
  );
  assert.equal(
    resolveThroughLinks("/nowhere/x", () => null),
    "/nowhere/x",
  );
});
