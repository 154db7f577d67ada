import type { Context } from "hono";
import type { IncomingMessage } from "node:http";
import { AppError } from "../errors/app-error.js";
import type { Principal } from "./types.js";

/**
 * The caller of each request, set once by the route's guard (src/api/guard.ts)
 * as a context variable (not keyed by the Request: a body limit replaces it).
 */
type WithPrincipal = Context<{ Variables: { principal?: Principal } }>;

export const setPrincipal = (c: Context, p: Principal) => void (c as unknown as WithPrincipal).set("principal", p);

export function principalOf(c: Context): Principal {
  const p = (c as unknown as WithPrincipal).get("principal");
  // only reachable by a route mounted outside the middleware: a bug, not a client error
  if (!p) throw new AppError("internal", "no principal for this request");
  return p;
}

/** The peer address of the connection (the API is not behind a proxy). */
export function clientIp(c: Context): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? "unknown";
}
