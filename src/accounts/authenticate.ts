import { tokenFromHeader } from "../api/auth.js";
import type { Accounts } from "./accounts.js";
import type { Principal } from "./types.js";

/**
 * Who is calling: a Bearer token (or git's Basic password) first, else the
 * browser's session cookie. Resolved from the store each time, so a removed
 * user, a revoked token or a changed grant takes effect at once, also for a
 * long-lived stream that asks again (src/ui/events.ts).
 */
export function authenticate(
  headers: Headers,
  sessionCookie: string | undefined,
  accounts: Accounts,
): Principal | null {
  const token = tokenFromHeader(headers.get("authorization"));
  if (token) return accounts.byToken(token);
  return accounts.bySession(sessionCookie);
}
