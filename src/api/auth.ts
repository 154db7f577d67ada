import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Store } from "../store/store.js";

const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest();

/**
 * API tokens. Only their SHA-256 is stored; a presented token is hashed and
 * compared in constant time against every stored hash (no early exit).
 */
export class Tokens {
  constructor(private readonly store: Store) {}

  verify(token: string | null | undefined): boolean {
    if (!token || token.length > 512) return false;
    const presented = hashToken(token);
    let ok = false;
    for (const h of this.store.tokenHashes()) ok = timingSafeEqual(presented, Buffer.from(h, "hex")) || ok;
    return ok;
  }

  /** Creates the admin token on first start and writes it once, mode 0600. */
  bootstrapAdmin(dataDir: string): { created: boolean; path: string } {
    const path = join(dataDir, "admin-token");
    if (this.store.tokenHashes().length > 0) return { created: false, path };
    const token = `yk_${randomBytes(24).toString("base64url")}`;
    this.store.addToken("admin", hashToken(token).toString("hex"));
    writeFileSync(path, token + "\n", { mode: 0o600 });
    chmodSync(path, 0o600); // a file left by an earlier install keeps its mode otherwise
    return { created: true, path };
  }
}

/** Reads `Authorization: Bearer <token>`, or the password of Basic auth (what git sends). */
export function tokenFromHeader(header: string | undefined | null): string | null {
  if (!header) return null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1], "base64").toString("utf8");
    const i = decoded.indexOf(":");
    return i >= 0 ? decoded.slice(i + 1) : null;
  }
  return null;
}
