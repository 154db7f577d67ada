import { Hono } from "hono";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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
export function uiRoutes(): Hono {
  const r = new Hono();
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
  r.get("/", (c) => {
    const page = read("index.html");
    if (!page) return c.text("The web UI is not built: run 'npm run build'.", 503);
    return c.body(new Uint8Array(page), 200, {
      ...UI_HEADERS,
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
    });
  });
  r.get("/assets/:file", (c) => {
    const file = c.req.param("file");
    const ext = /^[a-z0-9-]+(\.[a-z]+)$/.exec(file)?.[1];
    const body = ext && TYPES[ext] ? read(`assets/${file}`) : null;
    if (!body) return c.text("not found", 404);
    return c.body(new Uint8Array(body), 200, {
      ...UI_HEADERS,
      "content-type": TYPES[ext!],
      "cache-control": "no-cache",
    });
  });
  return r;
}
