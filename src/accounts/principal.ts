import type { Context } from "hono";
import type { IncomingMessage } from "node:http";
import { AppError } from "../errors/app-error.js";
import type { Principal } from "./types.js";

/** The caller of each request, set once by the auth middleware (src/api/app.ts). */
const principals = new WeakMap<Request, Principal>();

export const setPrincipal = (c: Context, p: Principal) => void principals.set(c.req.raw, p);

export function principalOf(c: Context): Principal {
  const p = principals.get(c.req.raw);
  // only reachable by a route mounted outside the middleware: a bug, not a client error
  if (!p) throw new AppError("internal", "no principal for this request");
  return p;
}

/** The peer address of the connection (the API is not behind a proxy). */
export function clientIp(c: Context): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? "unknown";
}
