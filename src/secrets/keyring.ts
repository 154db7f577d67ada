import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { AppError } from "../errors/app-error.js";
import { atomicWrite } from "../lib/atomic-write.js";

/**
 * AES-256-GCM with a per-install master key kept in a file (mode 0600) beside
 * the store, never in it. Every value is sealed with associated data naming
 * what it is (app and variable name), so a ciphertext copied to another row
 * or app does not decrypt. A sealed value names its key, so rotation can
 * re-encrypt row by row while old keys still open what is not yet done.
 *
 * Format: "v1:<keyId>:<iv b64>:<tag b64>:<ciphertext b64>"
 */
export interface KeyFile {
  current: string;
  keys: Record<string, string>; // id → base64 of 32 bytes
}

export class Keyring {
  private constructor(
    private file: KeyFile,
    private readonly path: string | null,
  ) {}

  /** Loads the key file, creating it on first use. */
  static async open(path: string): Promise<Keyring> {
    if (!existsSync(path)) {
      const file = newKeyFile();
      await atomicWrite(path, JSON.stringify(file) + "\n", { mode: 0o600 });
      return new Keyring(file, path);
    }
    let file: KeyFile;
    try {
      file = JSON.parse(readFileSync(path, "utf8")) as KeyFile;
    } catch (e) {
      throw new AppError(
        "internal",
        `the master key file ${path} is not readable: ${(e as Error).message}`,
        "Restore it from your backup: without it, config vars cannot be decrypted.",
      );
    }
    if (!file.keys?.[file.current])
      throw new AppError("internal", `the master key file ${path} has no current key`, "Restore it from your backup.");
    return new Keyring(file, path);
  }

  /** An in-memory keyring for unit tests. */
  static ephemeral(): Keyring {
    return new Keyring(newKeyFile(), null);
  }

  get currentId(): string {
    return this.file.current;
  }

  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", this.key(this.file.current), iv);
    c.setAAD(Buffer.from(aad, "utf8"));
    const ct = Buffer.concat([c.update(plaintext, "utf8"), c.final()]);
    return [
      "v1",
      this.file.current,
      iv.toString("base64"),
      c.getAuthTag().toString("base64"),
      ct.toString("base64"),
    ].join(":");
  }

  open(sealed: string, aad: string): string {
    const [v, id, iv, tag, ct] = sealed.split(":");
    if (v !== "v1" || !id || iv === undefined || tag === undefined || ct === undefined)
      throw new AppError("internal", "a stored secret is not in the expected format");
    const d = createDecipheriv("aes-256-gcm", this.key(id), Buffer.from(iv, "base64"));
    d.setAAD(Buffer.from(aad, "utf8"));
    d.setAuthTag(Buffer.from(tag, "base64"));
    try {
      return Buffer.concat([d.update(Buffer.from(ct, "base64")), d.final()]).toString("utf8");
    } catch {
      throw new AppError(
        "internal",
        "a stored secret did not decrypt: the master key file does not match the store",
        "Restore the master key file that belongs to this data dir.",
      );
    }
  }

  /** Whether a sealed value was made with an older key. */
  isStale(sealed: string): boolean {
    return sealed.split(":")[1] !== this.file.current;
  }

  /** Adds a new current key (old ones stay until dropOldKeys, so nothing becomes unreadable midway). */
  async rotate(): Promise<string> {
    const id = randomBytes(4).toString("hex");
    const next = { current: id, keys: { ...this.file.keys, [id]: randomBytes(32).toString("base64") } };
    // Saved before use: a value sealed with a key that never reached the disk would be lost at the next start.
    await this.save(next);
    this.file = next;
    return id;
  }

  async dropOldKeys(): Promise<void> {
    const next = { current: this.file.current, keys: { [this.file.current]: this.file.keys[this.file.current] } };
    await this.save(next);
    this.file = next;
  }

  private key(id: string): Buffer {
    const k = this.file.keys[id];
    if (!k)
      throw new AppError(
        "internal",
        `a stored secret was sealed with key ${id}, which the master key file no longer has`,
        "Restore the master key file from before the last rotation.",
      );
    return Buffer.from(k, "base64");
  }

  private async save(file: KeyFile): Promise<void> {
    if (this.path) await atomicWrite(this.path, JSON.stringify(file) + "\n", { mode: 0o600 });
  }
}

function newKeyFile(): KeyFile {
  const id = randomBytes(4).toString("hex");
  return { current: id, keys: { [id]: randomBytes(32).toString("base64") } };
}
