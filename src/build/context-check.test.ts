import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import tarStream from "tar-stream";
import { isAppError } from "../errors/app-error.js";
import { inspectContext } from "./context-check.js";

type Entry = { header: tarStream.Headers; body?: string | Buffer };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const e of entries) pack.entry(e.header, e.body ?? "");
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const limits = { maxContextBytes: 1024 * 1024, maxEntries: 10 };
const DF: Entry = { header: { name: "Dockerfile" }, body: "FROM x\n" };

async function inspect(entries: Entry[], gzip = false, l = limits) {
  const dir = mkdtempSync(join(tmpdir(), "yk-ctx-"));
  try {
    const tar = await tarOf(entries);
    const path = join(dir, "c.tar");
    writeFileSync(path, gzip ? gzipSync(tar) : tar);
    return await inspectContext(path, gzip, l);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const refused = async (entries: Entry[], code: string, pattern: RegExp, gzip = false) =>
  assert.rejects(
    inspect(entries, gzip),
    (e: unknown) => isAppError(e) && e.code === code && pattern.test(e.message),
    JSON.stringify(entries.map((e) => e.header)),
  );

test("a normal context: its Dockerfile, Procfile and app.json are read; inner links are fine", async () => {
  const files = await inspect(
    [
      { header: { name: "./", type: "directory" } },
      DF,
      { header: { name: "./Procfile" }, body: "web: x" },
      { header: { name: "src/", type: "directory" } },
      { header: { name: "src/a.js" }, body: "1" },
      { header: { name: "src/b.js", type: "symlink", linkname: "a.js" } },
      { header: { name: "src/c.js", type: "symlink", linkname: "../src/./a.js" } },
      { header: { name: "d.js", type: "link", linkname: "src/a.js" } },
    ],
    true,
  );
  assert.deepEqual(files, { hasDockerfile: true, procfile: "web: x", appJson: null, dockerfile: "FROM x\n" });
});

test("the expanded size and the entry count are limited while reading, gzip or not", async () => {
  const big = Buffer.alloc(2 * 1024 * 1024);
  for (const gz of [true, false])
    await refused(
      [DF, { header: { name: "zeros", size: big.length }, body: big }],
      "payload_too_large",
      /expands to more than 1 MiB/,
      gz,
    );
  const many = Array.from({ length: 11 }, (_, i) => ({ header: { name: `f${i}` }, body: "x" }));
  await refused(many, "payload_too_large", /more than 10 entries/);
});

test("absolute paths, '..', links out, special files and duplicates are refused", async () => {
  await refused([DF, { header: { name: "/etc/passwd" }, body: "x" }], "invalid_context", /absolute/);
  await refused([DF, { header: { name: "a/../../x" }, body: "x" }], "invalid_context", /'\.\.'/);
  await refused([DF, { header: { name: "l", type: "symlink", linkname: "/etc" } }], "invalid_context", /absolute path/);
  await refused([DF, { header: { name: "a/l", type: "symlink", linkname: "../../x" } }], "invalid_context", /outside/);
  await refused([DF, { header: { name: "l", type: "symlink", linkname: ".." } }], "invalid_context", /outside/);
  await refused(
    [DF, { header: { name: "a/h", type: "link", linkname: "../x" } }],
    "invalid_context",
    /hard link.*outside/,
  );
  await refused([DF, { header: { name: "h", type: "link", linkname: "/etc/shadow" } }], "invalid_context", /hard link/);
  await refused([DF, { header: { name: "p", type: "fifo" } }], "invalid_context", /fifo/);
  await refused(
    [DF, { header: { name: "c", type: "character-device", devmajor: 1, devminor: 3 } }],
    "invalid_context",
    /character-device/,
  );
  await refused([DF, { header: { name: "./Dockerfile" }, body: "FROM y\n" }], "invalid_context", /twice/);
  await refused(
    [{ header: { name: "Dockerfile", type: "symlink", linkname: "x" } }],
    "invalid_context",
    /regular file/,
  );
  await refused(
    [{ header: { name: "Dockerfile", size: 2 * 1024 * 1024 }, body: Buffer.alloc(2 * 1024 * 1024) }],
    "invalid_context",
    /larger than/,
    true,
  );
});
