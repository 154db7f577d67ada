import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { ApiServices } from "./services.js";
import { tokenFromHeader } from "./auth.js";
import { decide } from "../accounts/policy.js";
import { AppError, isAppError } from "../errors/app-error.js";
import { ATTACH_PATH } from "../runs/contract.js";
import { parseSize } from "../runs/validate.js";
import { attachRoute } from "./routes/runs.js";

/** Answers an upgrade request with a plain HTTP error (JSON body, as the API does) and closes. */
function refuse(socket: Duplex, e: AppError): void {
  const body = JSON.stringify({ error: e.toJSON() });
  socket.end(
    `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? ""}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** A path segment, %-decoded; a malformed escape is a name that exists nowhere. */
const decode = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

export const isRunAttach = (pathname: string) => ATTACH_PATH.test(pathname);

/**
 * GET /api/v1/apps/:app/runs/:id/attach with `Upgrade: tcp`: checks the
 * token (Hono's middleware never sees upgrades), attaches to the run's
 * container, starts it, answers 101 and pipes bytes both ways until the
 * container exits (see contract.ts for the byte protocol).
 */
export async function handleRunAttach(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  s: ApiServices,
): Promise<void> {
  socket.on("error", () => {}); // a client that vanishes mid-stream is handled by 'close'
  const runs = s.runs;
  const untrack = runs.track(socket);
  /** the run started: from here on, failures close the connection instead of answering HTTP */
  let upgraded = false;
  try {
    const url = new URL(req.url ?? "/", "http://localhost");
    const m = ATTACH_PATH.exec(url.pathname)!;
    const p = s.accounts.byToken(tokenFromHeader(req.headers.authorization));
    if (!p) throw new AppError("unauthorized", "missing or invalid API token");
    // the same declaration as the route in the document (src/api/routes/runs.ts): Hono never sees upgrades
    const decision = decide(p, attachRoute["x-access"], decode(m[1]));
    if (!decision.allow)
      throw new AppError(decision.status === 404 ? "not_found" : "forbidden", decision.message, decision.hint);
    s.audit.record({
      actor: p.name,
      action: `ATTACH ${url.pathname}`,
      app: decode(m[1]),
      summary: `attached to a one-off run of ${decode(m[1])}`,
      ip: req.socket.remoteAddress ?? "unknown",
      status: 101,
      ok: true,
    });
    if (req.method !== "GET" || (req.headers.upgrade ?? "").toLowerCase() !== "tcp") {
      throw new AppError("invalid_request", "attach expects GET with 'Connection: Upgrade' and 'Upgrade: tcp'");
    }
    const rows = url.searchParams.get("rows");
    const cols = url.searchParams.get("cols");
    const size = rows === null && cols === null ? null : parseSize(rows, cols);
    if ((rows !== null || cols !== null) && !size)
      throw new AppError("invalid_request", "rows and cols must be whole numbers from 1 to 1000");
    const app = s.apps.get(decode(m[1])).name;
    const id = decode(m[2]);
    const run = await runs.attach(app, id, size);
    upgraded = true;
    if (socket.destroyed) {
      run.stream.destroy();
      await runs.finish(app, id, run.name, true);
      return;
    }
    socket.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
    (socket as Socket).setNoDelay?.(true);
    (socket as Socket).setKeepAlive?.(true, 30_000);
    if (head.length) run.stream.write(head);
    const { clientGone } = await pipeRun(socket, run.stream, run.tty);
    await runs.finish(app, id, run.name, clientGone);
    socket.end();
  } catch (e) {
    if (!isAppError(e) || upgraded) s.log.error("run attach failed", { url: req.url, err: (e as Error).stack });
    // after the 101 the connection is a byte stream: an HTTP error would be garbage in it
    if (upgraded) socket.destroy();
    else
      refuse(
        socket,
        isAppError(e) ? e : new AppError("internal", "internal error while attaching; see the server log"),
      );
  } finally {
    untrack();
  }
}

/**
 * Pipes the client and the container until the container's output ends or
 * the client goes away. Without a TTY, the client half-closing means EOF on
 * stdin; with a TTY a client never half-closes (Docker would stop the
 * output), so its end means it is gone.
 */
export function pipeRun(socket: Duplex, stream: Duplex, tty: boolean): Promise<{ clientGone: boolean }> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (clientGone: boolean) => {
      if (done) return;
      done = true;
      socket.unpipe(stream);
      stream.unpipe(socket);
      if (clientGone) stream.destroy();
      resolve({ clientGone });
    };
    stream.pipe(socket, { end: false });
    socket.pipe(stream, { end: false });
    socket.on("end", () => (tty ? finish(true) : stream.end()));
    socket.on("close", () => finish(true));
    stream.on("error", () => finish(false));
    stream.on("end", () => finish(false));
    stream.on("close", () => finish(false));
  });
}
