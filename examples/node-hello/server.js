// Yadokari's bundled example: a Node HTTP server with one dependency (escape-html, vendored in vendor/).
"use strict";
const http = require("node:http");
const os = require("node:os");
const escapeHtml = require("escape-html");

const port = Number(process.env.PORT) || 5000;
const release = process.env.YADOKARI_RELEASE || "unknown";

const server = http.createServer((req, res) => {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" });
    res.end("method not allowed\n");
    return;
  }
  const path = new URL(req.url, "http://x").pathname;
  if (path !== "/") {
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found\n");
    return;
  }
  const body =
    '<!doctype html><meta charset="utf-8"><title>Hello from Yadokari</title>\n' +
    "<h1>Hello from Yadokari</h1>\n" +
    `<p>release <b>${escapeHtml(release)}</b> on host <b>${escapeHtml(os.hostname())}</b></p>\n`;
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : body);
});

server.listen(port, () => {
  console.log(`node-hello release ${release} listening on port ${port}`);
});

// Graceful stop: refuse new connections, finish in-flight requests, then exit.
process.on("SIGTERM", () => {
  console.log("SIGTERM received, closing");
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10000).unref();
});
