import { z } from "@hono/zod-openapi";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ApiRouter } from "../api/app.js";
import { defineRoute } from "../api/route.js";
import type { TextStream } from "../api/text-stream.js";
import { access } from "../accounts/policy.js";

/** dist/web, built by scripts/build-web.mjs next to dist/src. */
const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), "../../web");

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/**
 * The web UI's security headers: scripts, styles and connections from this
 * origin only (no CDN, no inline script), never framed, no referrer leaks.
 */
export const UI_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};

/**
 * Serves the single-page UI: GET / is the page, /assets/* its files (read
 * once, cached in memory). Routing inside the UI is by URL hash, so the
 * server needs no fallback route.
 */
const page = defineRoute({
  method: "get",
  path: "/",
  summary: "The web UI's page",
  access: access.public("the login page; the UI then calls the API with a session"),
  hide: true,
  responses: { 200: { description: "HTML", content: { "text/html": { schema: z.string() } } } },
});

const asset = defineRoute({
  method: "get",
  path: "/assets/{file}",
  summary: "The web UI's scripts, styles and icons",
  access: access.public("the login page's own files"),
  hide: true,
  request: { params: z.strictObject({ file: z.string() }) },
  responses: { 200: { description: "a file", content: { "*/*": { schema: z.string() } } } },
});

export function registerUi(r: ApiRouter): void {
  const cache = new Map<string, Buffer | null>();
  const read = (name: string) => {
    if (!cache.has(name)) {
      try {
        cache.set(name, readFileSync(join(WEB_DIR, name)));
      } catch {
        cache.set(name, null);
      }
    }
    return cache.get(name)!;
  };
  r.openapi(page, (c) => {
    const html = read("index.html");
    if (!html) return c.text("The web UI is not built: run 'npm run build'.", 503) as unknown as TextStream;
    return c.body(new Uint8Array(html), 200, {
      ...UI_HEADERS,
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
    }) as unknown as TextStream;
  });
  r.openapi(asset, (c) => {
    const file = c.req.valid("param").file;
    const ext = /^[a-z0-9-]+(\.[a-z]+)$/.exec(file)?.[1];
    const body = ext && TYPES[ext] ? read(`assets/${file}`) : null;
    if (!body) return c.text("not found", 404) as unknown as TextStream;
    return c.body(new Uint8Array(body), 200, {
      ...UI_HEADERS,
      "content-type": TYPES[ext!],
      "cache-control": "no-cache",
    }) as unknown as TextStream;
  });
}
