import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError } from "../errors/app-error.js";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * While the server stops, requests that would start work (a deploy, a push,
 * a config change, a webhook) are refused with 503 shutting_down, so nothing
 * new begins that the next server would find half done; reads still answer.
 */
export class DrainGate {
  private sinceMs: number | null = null;

  start(now = Date.now()): void {
    this.sinceMs ??= now;
  }

  get draining(): boolean {
    return this.sinceMs !== null;
  }

  /** True when this request must be refused because the server is stopping. */
  refuses(method: string | undefined, url: string | undefined): boolean {
    return this.draining && wouldChange(method ?? "GET", url ?? "/");
  }

  reply(res: ServerResponse): void {
    const e = new AppError("shutting_down", "the server is stopping and takes no new work");
    res.writeHead(e.status, { "content-type": "application/json", "retry-after": "5", connection: "close" });
    res.end(JSON.stringify({ error: e.toJSON() }));
  }

  /** For node:http: answers and returns true when the request is refused. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.refuses(req.method, req.url)) return false;
    this.reply(res);
    return true;
  }
}

/** API changes, webhooks and git pushes start work; git fetches (upload-pack) and reads do not. */
export function wouldChange(method: string, url: string): boolean {
  const path = url.split("?")[0];
  if (path.startsWith("/git/")) return /\/git-receive-pack$/.test(path) || url.includes("service=git-receive-pack");
  if (READS.has(method.toUpperCase())) return false;
  return path.startsWith("/api/v1/") || path.startsWith("/hooks/");
}
