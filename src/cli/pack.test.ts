import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { extract } from "tar-stream";
import { listEntries, makeFilter, packTarGz } from "./pack.js";

function tree(files: Record<string, string>, modes: Record<string, number> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "yk-pack-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content, { mode: modes[path] ?? 0o644 });
  }
  return dir;
}

const paths = async (dir: string) => (await listEntries(dir)).map((e) => e.path);

test("gitignore-style patterns, ! negation, .git always left out", async (t) => {
  const dir = tree({
    Dockerfile: "FROM scratch\n",
    ".dockerignore": "# build junk\nnode_modules\n*.log\n!keep.log\nsecret/\ndocs/*\n!docs/README.md\n\n",
    ".git/HEAD": "ref: refs/heads/main\n",
    ".git/objects/ab": "x",
    "app.js": "1",
    "keep.log": "k",
    "debug.log": "d",
    "sub/deep.log": "d",
    "sub/ok.txt": "o",
    "node_modules/x/index.js": "x",
    "secret/key": "s",
    "docs/README.md": "r",
    "docs/other.md": "o",
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  symlinkSync("app.js", join(dir, "link"));
  assert.deepEqual(await paths(dir), [
    ".dockerignore",
    "Dockerfile",
    "app.js",
    "docs",
    "docs/README.md",
    "keep.log",
    "link",
    "sub",
    "sub/ok.txt",
  ]);
});

test("the whitelist idiom '*' then '!src' sends src with everything inside, as Docker does", async (t) => {
  const dir = tree({
    Dockerfile: "FROM scratch\n",
    ".dockerignore": "*\n!src\n!package.json\nsrc/**/*.test.js\n",
    "package.json": "{}",
    "README.md": "r",
    "src/a.js": "a",
    "src/a.test.js": "t",
    "src/lib/b.js": "b",
    "other/c.js": "c",
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Dockerfile and .dockerignore are sent even though '*' matches them: the builder needs them.
  assert.deepEqual(await paths(dir), [
    ".dockerignore",
    "Dockerfile",
    "package.json",
    "src",
    "src/a.js",
    "src/lib",
    "src/lib/b.js",
  ]);
});

test("no .dockerignore sends everything but .git", async (t) => {
  const dir = tree({
    Dockerfile: "FROM scratch\n",
    "a/b.txt": "b",
    ".git/config": "c",
    "a/.git": "gitdir: ../.git/modules/a\n",
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(await paths(dir), ["Dockerfile", "a", "a/b.txt"]);
});

test("makeFilter: a later pattern wins over an earlier one", () => {
  const f = makeFilter("!a.txt\n*.txt\n");
  assert.equal(f.includes("a.txt", false), false);
  assert.equal(f.includes("b.md", false), true);
  assert.equal(f.descend("dir"), true);
  assert.equal(f.descend(".git"), false);
  // Without a "!" rule an excluded directory is not walked at all.
  assert.equal(makeFilter("node_modules\n").descend("node_modules"), false);
  assert.equal(makeFilter("node_modules\n!node_modules/keep\n").descend("node_modules"), true);
});

test("packTarGz: gzipped tar with contents and modes, byte-identical for the same tree", async (t) => {
  const dir = tree(
    { Dockerfile: "FROM scratch\n", "bin/run": "#!/bin/sh\n", ".dockerignore": "*.tmp\n", "x.tmp": "no" },
    { "bin/run": 0o755 },
  );
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const first = await packTarGz(dir);
  const second = await packTarGz(dir);
  assert.equal(first.files, 3);
  assert.ok(first.data.equals(second.data), "same tree, same bytes");

  const seen: Record<string, { type: string; mode: number; body: string }> = {};
  const ex = extract();
  ex.on("entry", (h, stream, next) => {
    const parts: Buffer[] = [];
    stream.on("data", (c: Buffer) => parts.push(c));
    stream.on("end", () => {
      seen[h.name] = { type: h.type ?? "", mode: h.mode ?? 0, body: Buffer.concat(parts).toString() };
      next();
    });
  });
  const finished = new Promise((resolve) => ex.on("finish", resolve));
  ex.end(gunzipSync(first.data));
  await finished;
  assert.deepEqual(Object.keys(seen).sort(), [".dockerignore", "Dockerfile", "bin/", "bin/run"]);
  assert.equal(seen["bin/run"].body, "#!/bin/sh\n");
  assert.equal(seen["bin/run"].mode & 0o777, 0o755);
  assert.equal(seen["bin/"].type, "directory");
});
