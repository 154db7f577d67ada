import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { randomBytes } from "node:crypto";
import { checkPassphrase, decryptFile, encryptStream, isEncrypted, MAGIC } from "./crypto.js";
import { isAppError } from "../../errors/app-error.js";

const FAST = { N: 2 ** 10, r: 8, p: 1 };
const collect = async (r: Readable) => {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

test("a backup encrypted with a passphrase decrypts with it, and only with it; a changed byte is caught", async () => {
  const dir = mkdtempSync(join(tmpdir(), "yk-crypto-"));
  try {
    const plain = randomBytes(300_000);
    const file = join(dir, "b.enc");
    await pipeline(
      Readable.from([plain.subarray(0, 1000), plain.subarray(1000)]),
      await encryptStream("correct horse battery", FAST),
      createWriteStream(file),
    );
    const bytes = readFileSync(file);
    assert.ok(isEncrypted(file));
    assert.equal(bytes.subarray(0, MAGIC.length).toString(), MAGIC);
    assert.equal(bytes.indexOf(plain.subarray(5000, 5064)), -1, "no plaintext in the file");
    assert.deepEqual(await collect(await decryptFile(file, "correct horse battery")), plain);
    await assert.rejects(
      decryptFile(file, "wrong horse battery"),
      (e) => isAppError(e) && e.code === "bad_passphrase" && /passphrase is wrong/.test(e.message),
    );
    bytes[bytes.length - 100] ^= 1;
    writeFileSync(file, bytes);
    await assert.rejects(
      collect(await decryptFile(file, "correct horse battery")),
      (e) => isAppError(e) && e.code === "bad_passphrase",
    );
    writeFileSync(file, bytes.subarray(0, 20));
    await assert.rejects(decryptFile(file, "correct horse battery"), (e) => isAppError(e) && e.code === "bad_backup");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("passphrases are at least 12 characters; a file's trailing newline is not part of it", () => {
  assert.equal(checkPassphrase("0123456789abc\n"), "0123456789abc");
  assert.throws(() => checkPassphrase("short\n"), /at least 12/);
});
