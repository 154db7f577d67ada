import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { ApiServices } from "./services.js";
import { handleRunAttach, isRunAttach } from "./run-attach.js";

/**
 * HTTP Upgrade requests (raw bidirectional streams, which Hono's fetch model
 * cannot carry). Dispatches by path; anything unknown is answered 404 and closed.
 */
export function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, s: ApiServices): void {
  const path = (req.url ?? "").split("?")[0];
  if (isRunAttach(path)) return void handleRunAttach(req, socket, head, s);
  socket.end(
    `HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nno upgrade route ${req.url ?? ""}\n`,
  );
}
