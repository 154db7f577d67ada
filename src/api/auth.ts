/**
 * Reading credentials from a request. Who they belong to, and what that
 * principal may do, is src/accounts.
 */

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
