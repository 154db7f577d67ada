import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  scrypt as scryptCb,
  type CipherGCM,
} from "node:crypto";
import { closeSync, createReadStream, openSync, readSync, statSync } from "node:fs";
import { Transform, type Readable } from "node:stream";
import { AppError } from "../../errors/app-error.js";

/**
 * Encrypted backups: scrypt (N=2^15, r=8, p=1) turns the passphrase into an
 * AES-256-GCM key; the file is a magic line, a JSON header line (KDF
 * parameters, salt, IV), the ciphertext and the 16-byte tag. GCM authenticates
 * only at the end, so a restore unpacks into a staging directory and uses
 * nothing from it before the tag verified.
 */
export const MAGIC = "YADOKARI-BACKUP-ENCRYPTED-1\n";
const TAG_BYTES = 16;

interface Header {
  kdf: "scrypt";
  N: number;
  r: number;
  p: number;
  salt: string;
  iv: string;
  /** a hash of the key (not of the passphrase): a wrong passphrase is refused before any decryption */
  check?: string;
}

const keyCheck = (key: Buffer) =>
  createHash("sha256").update("yadokari-backup-key-check\0").update(key).digest("base64").slice(0, 22);

function deriveKey(passphrase: string, h: Pick<Header, "N" | "r" | "p" | "salt">): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(
      passphrase.normalize("NFC"),
      Buffer.from(h.salt, "base64"),
      32,
      { N: h.N, r: h.r, p: h.p, maxmem: 256 * h.N * h.r },
      (e, key) => (e ? reject(e) : resolve(key)),
    ),
  );
}

export function checkPassphrase(p: string): string {
  const t = p.replace(/\r?\n$/, "");
  if (t.length < 12)
    throw new AppError(
      "invalid_request",
      "the backup passphrase must have at least 12 characters",
      "Put a long random passphrase in a file (mode 0600), e.g. openssl rand -base64 32 > /root/yadokari-backup.pass",
    );
  return t;
}

/** A stream that encrypts what goes through it: header first, tag at the end. */
export async function encryptStream(passphrase: string, params = { N: 2 ** 15, r: 8, p: 1 }): Promise<Transform> {
  const header: Header = {
    kdf: "scrypt",
    ...params,
    salt: randomBytes(16).toString("base64"),
    iv: randomBytes(12).toString("base64"),
  };
  const key = await deriveKey(passphrase, header);
  header.check = keyCheck(key);
  const cipher = createCipheriv("aes-256-gcm", key, Buffer.from(header.iv, "base64"));
  let started = false;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (!started) {
        started = true;
        this.push(Buffer.from(MAGIC + JSON.stringify(header) + "\n"));
      }
      cb(null, cipher.update(chunk));
    },
    flush(cb) {
      if (!started) this.push(Buffer.from(MAGIC + JSON.stringify(header) + "\n"));
      this.push(cipher.final());
      this.push((cipher as CipherGCM).getAuthTag());
      cb();
    },
  });
}

/** True when the file starts with the encrypted backup's magic line. */
export function isEncrypted(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(MAGIC.length);
    readSync(fd, buf, 0, buf.length, 0);
    return buf.toString("latin1") === MAGIC;
  } finally {
    closeSync(fd);
  }
}

/**
 * The plaintext of an encrypted backup as a stream. It errors at its end
 * (bad_passphrase) when the passphrase is wrong or the file was changed.
 */
export async function decryptFile(path: string, passphrase: string): Promise<Readable> {
  const size = statSync(path).size;
  const fd = openSync(path, "r");
  let header: Header;
  let headerLen: number;
  const tag = Buffer.alloc(TAG_BYTES);
  try {
    const head = Buffer.alloc(Math.min(size, 4096));
    readSync(fd, head, 0, head.length, 0);
    const text = head.toString("latin1");
    const end = text.indexOf("\n", MAGIC.length);
    if (!text.startsWith(MAGIC) || end < 0) throw damaged("no encrypted backup header");
    header = JSON.parse(text.slice(MAGIC.length, end)) as Header;
    headerLen = end + 1;
    if (header.kdf !== "scrypt" || size < headerLen + TAG_BYTES) throw damaged("unknown header or truncated file");
    readSync(fd, tag, 0, TAG_BYTES, size - TAG_BYTES);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw damaged((e as Error).message);
  } finally {
    closeSync(fd);
  }
  if (!(header.N <= 2 ** 20 && header.r <= 32 && header.p <= 16)) throw damaged("KDF parameters out of range");
  const key = await deriveKey(passphrase, header);
  if (header.check !== undefined && header.check !== keyCheck(key))
    throw new AppError("bad_passphrase", "the backup does not decrypt: the passphrase is wrong");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(header.iv, "base64"));
  decipher.setAuthTag(tag);
  const source =
    size - TAG_BYTES > headerLen ? createReadStream(path, { start: headerLen, end: size - TAG_BYTES - 1 }) : null;
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      cb(null, decipher.update(chunk));
    },
    flush(cb) {
      try {
        this.push(decipher.final());
        cb();
      } catch {
        cb(
          new AppError(
            "bad_passphrase",
            "the backup does not decrypt: the passphrase is wrong, or the file was changed or truncated",
          ),
        );
      }
    },
  });
  if (source) {
    source.on("error", (e) => out.destroy(e));
    source.pipe(out);
  } else out.end();
  return out;
}

const damaged = (why: string) => new AppError("bad_backup", `not a readable Yadokari backup: ${why}`);
