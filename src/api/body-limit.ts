import type { MiddlewareHandler } from "hono";
import { AppError } from "../errors/app-error.js";

/** Limits of request bodies, per route (src/api/route.ts picks one). */
export const LIMITS = {
  /** most JSON bodies: a name, a few flags */
  json: 64 * 1024,
  /** logins: an email and a password */
  login: 16 * 1024,
  /** config changes (1 MiB of vars in all, JSON-escaped) and one-off run argv */
  large: 3 * 1024 * 1024,
  /** certificate uploads: a PEM chain (up to 64,000 characters) and its key (up to 16,000), JSON-escaped */
  certificate: 192 * 1024,
  /** webhook deliveries (GitHub caps push payloads at 25 MB; a real push is a few KB) */
  hook: 5 * 1024 * 1024,
} as const;

export const formatBytes = (n: number) =>
  n >= 1024 * 1024
    ? `${+(n / 1024 / 1024).toFixed(1)} MiB`
    : n >= 1024
      ? `${+(n / 1024).toFixed(1)} KiB`
      : `${n} bytes`;

export const tooLarge = (max: number, what = "the request body") =>
  new AppError("payload_too_large", `${what} is larger than ${formatBytes(max)}, the most this route takes`);

/**
 * Reads the body up to `max` bytes into memory and stops there: a declared
 * Content-Length over the limit is refused before a byte is read, a chunked
 * body when its count passes the limit (the rest is never buffered). The
 * route then reads the buffered copy.
 */
export function limitBody(max: number): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    const declared = c.req.header("content-length");
    if (declared !== undefined && Number(declared) > max) throw tooLarge(max);
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > max) {
        await reader.cancel().catch(() => {});
        throw tooLarge(max);
      }
      chunks.push(value);
    }
    c.req.raw = new Request(c.req.raw, { body: Buffer.concat(chunks, size) });
    return next();
  };
}

/** For routes that take no body: nothing, or `{}`, passes. Runs after limitBody has buffered it. */
export const noBody: MiddlewareHandler = async (c, next) => {
  if (c.req.raw.body) {
    const text = (await c.req.raw.clone().text()).trim();
    if (text !== "" && !/^\{\s*\}$/.test(text))
      throw new AppError("invalid_request", "body: this route takes no body", "Send the request without a body.");
  }
  return next();
};
