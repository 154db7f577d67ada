import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** GitHub's X-Hub-Signature-256: `sha256=` + hex HMAC-SHA256 of the raw body, compared in constant time. */
export function githubSignatureValid(secret: string, rawBody: Uint8Array, header: string | undefined | null): boolean {
  if (!secret || typeof header !== "string") return false;
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!m) return false;
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(m[1].toLowerCase(), "hex"));
}

/** GitLab's X-Gitlab-Token is the secret itself: both are hashed first, so the compare is constant time whatever their lengths. */
export function gitlabTokenValid(secret: string, header: string | undefined | null): boolean {
  if (!secret || typeof header !== "string" || header.length > 1024) return false;
  const h = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(h(secret), h(header));
}

/** What a sender computes (tests, and `yk hooks:info` examples). */
export const signGithub = (secret: string, rawBody: Uint8Array | string) =>
  `sha256=${createHmac("sha256", secret).update(rawBody).digest("hex")}`;
