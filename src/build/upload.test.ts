import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import tarStream from "tar-stream";
import { saveUpload, type SavedUpload } from "./upload.js";
import { inspectContext } from "./context-check.js";
import { DEFAULT_MAX_CONTEXT_BYTES, DEFAULT_MAX_ENTRIES } from "./settings.js";

const readSourceFiles = (up: SavedUpload) =>
  inspectContext(up.path, up.gzip, { maxContextBytes: DEFAULT_MAX_CONTEXT_BYTES, maxEntries: DEFAULT_MAX_ENTRIES });

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tarStream.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test("reads Dockerfile presence, Procfile and app.json from tar and tar.gz", async () => {
  const dir = mkdtempSync(join(tmpdir(), "yk-upload-"));
  try {
    const tar = await tarOf({
      "./Dockerfile": "FROM x",
      Procfile: "web: node s.js",
      "app.json": "{}",
      "src/app.json": "not me",
    });
    for (const body of [tar, gzipSync(tar)]) {
      const up = await saveUpload(Readable.from([body]), dir);
      assert.equal(up.bytes, body.length);
      assert.match(up.sha256, /^[0-9a-f]{64}$/);
      assert.deepEqual(await readSourceFiles(up), {
        hasDockerfile: true,
        procfile: "web: node s.js",
        appJson: "{}",
        dockerfile: "FROM x",
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an empty, oversized or non-tar body is refused with a clear error", async () => {
  const dir = mkdtempSync(join(tmpdir(), "yk-upload-"));
  try {
    await assert.rejects(saveUpload(Readable.from([Buffer.alloc(0)]), dir), /empty/);
    await assert.rejects(saveUpload(Readable.from([Buffer.alloc(2048)]), dir, 1024), /larger than/);
    assert.deepEqual(readdirSync(dir), [], "a refused upload leaves no file");
    const up = await saveUpload(Readable.from([Buffer.from("hello, not a tar".repeat(64))]), dir);
    await assert.rejects(readSourceFiles(up), /not a valid tar/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
