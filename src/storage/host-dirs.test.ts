import { test } from "node:test";
import assert from "node:assert/strict";
import { lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAppError } from "../errors/app-error.js";
import { ensurePlainDirs, nested, rootOf } from "./host-dirs.js";
import { checkBinds } from "./bind-guard.js";
import { validateMount } from "./mount-rules.js";

const withRoot = (fn: (root: string) => void) => {
  const root = mkdtempSync(join(tmpdir(), "yk-hostdirs-"));
  try {
    fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
};
const unsafe = (fn: () => void, pattern: RegExp, code = "storage_unsafe") =>
  assert.throws(fn, (e: unknown) => isAppError(e) && e.code === code && pattern.test(e.message));

test("ensurePlainDirs creates the missing levels and refuses a link or a file anywhere on the way", () =>
  withRoot((root) => {
    ensurePlainDirs(root, join(root, "web", "a", "b"));
    assert.ok(lstatSync(join(root, "web", "a", "b")).isDirectory());
    symlinkSync("/", join(root, "web", "link"));
    unsafe(() => ensurePlainDirs(root, join(root, "web", "link", "etc")), /web\/link is a link/);
    unsafe(() => ensurePlainDirs(root, join(root, "web", "link")), /is a link/);
    mkdirSync(join(root, "web", "real"));
    symlinkSync(join(root, "web", "real"), join(root, "web", "inside"));
    unsafe(() => ensurePlainDirs(root, join(root, "web", "inside"), "invalid_mount"), /is a link/, "invalid_mount");
    writeFileSync(join(root, "web", "file"), "x");
    unsafe(() => ensurePlainDirs(root, join(root, "web", "file")), /not a directory/);
    unsafe(() => ensurePlainDirs(root, "/etc"), /not under the storage root/);
  }));

test("the guard re-checks every bind source before a container is created; volumes pass", () =>
  withRoot((root) => {
    const spec = (binds: string[]) => ({ HostConfig: { Binds: binds } }) as never;
    checkBinds(spec([`${join(root, "web", "data")}:/data`, "web-vol:/vol"]), [root]);
    assert.ok(lstatSync(join(root, "web", "data")).isDirectory(), "a missing source is made, not left to Docker");
    rmSync(join(root, "web", "data"), { recursive: true });
    symlinkSync("/", join(root, "web", "data"));
    unsafe(() => checkBinds(spec([`${join(root, "web", "data")}:/data`]), [root]), /is a link/);
    unsafe(() => checkBinds(spec(["/var/run/docker.sock:/s"]), [root]), /docker\.sock is never mounted/);
    unsafe(() => checkBinds(spec([`${root}:/all`]), [root]), /not below a storage root/);
    unsafe(() => checkBinds(spec(["/home/x:/x"]), [root]), /not below a storage root/);
    checkBinds({ HostConfig: {} } as never, [root]);
  }));

test("an app's bind sources are in its own directory; an admin's share may be any directory under a root", () => {
  const rules = { roots: ["/srv/st", "/data"], dataDir: "/var/lib/yadokari" };
  assert.deepEqual(validateMount({ source: "/srv/st/web/x", containerPath: "/x" }, { ...rules, app: "web" }), {
    hostPath: "/srv/st/web/x",
    containerPath: "/x",
  });
  validateMount({ source: "/data/web", containerPath: "/x" }, { ...rules, app: "web" });
  for (const source of ["/srv/st/api/x", "/srv/st/webx/y", "/srv/st/shared"])
    assert.throws(
      () => validateMount({ source, containerPath: "/x" }, { ...rules, app: "web" }),
      (e: unknown) => isAppError(e) && e.code === "invalid_mount" && /not in web's own directory/.test(e.message),
      source,
    );
  validateMount({ source: "/srv/st/api/x", containerPath: "/x" }, { ...rules, app: "web", shared: true });
});

test("nesting and roots", () => {
  assert.equal(nested("/r/a", "/r/a/b"), true);
  assert.equal(nested("/r/a/b", "/r/a"), true);
  assert.equal(nested("/r/a", "/r/a"), false);
  assert.equal(nested("/r/a", "/r/ab"), false);
  assert.equal(rootOf("/r/x/y", ["/q", "/r", "/r/x"]), "/r/x");
  assert.equal(rootOf("/rx", ["/r"]), null);
});
