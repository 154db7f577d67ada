/**
 * Writes the Yadokari router's config, and variants of it that each change
 * one thing, as templates for `BENCH_EXTRA_CONFIGS=DIR npm run bench:router`:
 * how the cost per request of the router moves with that one thing, measured
 * side by side with the others. Usage: node dist/bench/router-variants.js DIR
 *
 * The router's config is rendered by src/router/render.ts as `yadokari
 * server` does by default (access log on, HTTPS listener on, no certificate),
 * with the placeholders bench:router fills in; the TLS files it names are
 * written empty into DIR. A variant whose text no longer contains what it
 * replaces is an error, so a change to the renderer cannot silently make two
 * variants the same.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderConfig } from "../src/router/render.js";

const dir = resolve(process.argv[2] ?? "");
if (!process.argv[2]) {
  console.error("usage: node dist/bench/router-variants.js DIR");
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
const https = {
  listen: "127.0.0.1:2",
  crtList: join(dir, "certs.list"),
  redirectMap: join(dir, "redirect.map"),
  hstsMap: join(dir, "hsts.map"),
  acmeMap: join(dir, "acme.map"),
};
for (const f of [https.crtList, https.redirectMap, https.hstsMap, https.acmeMap]) writeFileSync(f, "");
const MAP = join(dir, "placeholder-map");
const SOCKET = join(dir, "placeholder.sock");
// bench:router's map sends the bench's Host to a backend named "app".
const desired = {
  hosts: {},
  backends: [
    { name: "app", servers: [{ name: "app1", address: "127.0.0.1", port: 1, weight: 100, state: "ready" as const }] },
  ],
};
const router = renderConfig(desired, {
  httpListen: "127.0.0.1:1",
  adminSocket: SOCKET,
  mapFile: MAP,
  accessLog: "stdout",
  https,
})
  .replace("bind 127.0.0.1:1\n", "bind {{listen}}\n")
  .replace("bind 127.0.0.1:2 ", "bind {{https}} ")
  .replace("127.0.0.1:1 ", "{{server}} ")
  .replaceAll(MAP, "{{map}}")
  .replace(SOCKET, "{{dir}}/admin.sock");

/** Replaces each [from, to] once; throws when `from` is not in the text. */
function change(name: string, text: string, edits: [string | RegExp, string][]): string {
  for (const [from, to] of edits) {
    const next = text.replace(from, to);
    if (next === text) throw new Error(`variant ${name}: "${String(from)}" is not in the router's config any more`);
    text = next;
  }
  return text;
}

const LOG_GLOBAL = "  log stdout format raw local0\n";
const variants: Record<string, [string | RegExp, string][]> = {
  // the same config, in the foreground: compares with (c), which runs in master-worker mode in its own session
  "router-as-file": [],
  "no-log": [
    [LOG_GLOBAL, ""],
    ["  log global\n  option dontlognull\n", ""],
    [/ {2}log-format .*\n/, ""],
  ],
  // a log line of one field: what the line costs whatever its format
  "log-one-field": [[/ {2}log-format .*\n/, "  log-format '%ST'\n"]],
  // the JSON line without the json() converters and sample fetches (not JSON-safe: only to measure them)
  "log-no-converters": [
    ["%[var(txn.host),json(utf8s)]", "%[var(txn.host)]"],
    ["%[capture.req.method,json(utf8s)]", "%HM"],
    ["%[capture.req.uri,json(utf8s)]", "%HU"],
  ],
  "log-sampled-1-in-10": [[LOG_GLOBAL, "  log stdout format raw sample 1:10 local0\n"]],
  // into an in-memory ring that nothing reads (with `show events -w` reading it, it cost far more)
  "log-ring": [
    [
      "global\n" + LOG_GLOBAL,
      "ring access\n  format raw\n  maxlen 2048\n  size 8388608\n\nglobal\n  log ring@access local0\n",
    ],
  ],
  "no-tls-rules-on-http": [
    [/ {2}http-request set-var\(txn\.acme\).*\n/, ""],
    [/ {2}http-request return status 200 .*\n/, ""],
    [/ {2}http-request redirect code 308 .*\n/, ""],
    [/ {2}http-request set-var\(txn\.hsts\).*\n/, ""],
    [/ {2}http-after-response set-header Strict-Transport-Security.*\n/, ""],
  ],
  // the request id as the hand-written config (b) sets it: one rule, the id read back from the header
  "request-id-as-b": [
    [
      /( {2}http-request set-var\(txn\.request_id\).*\n){2} {2}unique-id-format %\[var\(txn\.request_id\)\]\n {2}http-request set-header X-Request-Id %\[unique-id\]\n/,
      "  http-request set-header X-Request-Id %[uuid] unless { req.hdr(x-request-id) -m reg ^[A-Za-z0-9._:-]{1,128}$ }\n  unique-id-format %[req.hdr(x-request-id)]\n",
    ],
  ],
  "x-forwarded-proto-one-rule": [
    [
      "  http-request set-header X-Forwarded-Proto https if { ssl_fc }\n  http-request set-header X-Forwarded-Proto http unless { ssl_fc }\n",
      "  http-request set-header X-Forwarded-Proto %[ssl_fc,iif(https,http)]\n",
    ],
  ],
  "nbthread-1": [["global\n", "global\n  nbthread 1\n"]],
};
for (const [name, edits] of Object.entries(variants))
  writeFileSync(join(dir, `${name}.cfg`), change(name, router, edits));
console.log(
  `wrote ${Object.keys(variants).length} templates to ${dir}; run: BENCH_EXTRA_CONFIGS=${dir} npm run bench:router`,
);
