/**
 * The hand-written HAProxy configs bench:router compares the Yadokari router
 * with. Both keep keep-alive on both sides (HAProxy's default) and write
 * nothing but what they are asked to.
 */

export interface HandConfigOptions {
  /** 127.0.0.1:PORT */
  listen: string;
  /** another free 127.0.0.1:PORT, for a template with an HTTPS bind */
  httpsListen: string;
  /** the app: IP:PORT */
  server: string;
  /** the Host the app answers to */
  host: string;
  /** a map file "host backend" (the features config routes through it) */
  mapFile: string;
}

/** (a) What a minimal config for one app looks like: one server, no logging, no header rewriting. */
export function bareConfig(o: HandConfigOptions): string {
  return [
    "global",
    "  maxconn 4000",
    "defaults",
    "  mode http",
    "  timeout connect 3s",
    "  timeout client 30s",
    "  timeout server 30s",
    "frontend web",
    `  bind ${o.listen}`,
    "  default_backend app",
    "backend app",
    `  server app1 ${o.server}`,
    "",
  ].join("\n");
}

/**
 * The router's JSON access log line, copied from src/router/render.ts on
 * purpose (not imported): the hand-written config is what a team would write
 * to get the same line, and it must not change when the router's does.
 */
export const HAND_ACCESS_LOG_FORMAT =
  '{"ts":%Ts.%ms,"client":"%ci","host":"%[var(txn.host),json(utf8s)]","method":"%[capture.req.method,json(utf8s)]",' +
  '"uri":"%[capture.req.uri,json(utf8s)]","status":%ST,"bytes":%B,"backend":"%b","server":"%s",' +
  '"t_req":%TR,"t_queue":%Tw,"t_connect":%Tc,"t_response":%Tr,"t_active":%Ta,"retries":"%rc","term":"%tsc","request_id":"%ID"}';

/**
 * (b) The Yadokari router's features, written by hand the way an HAProxy user
 * would: one Host header or 400, the client's X-Forwarded-For dropped and the
 * connection's added, X-Forwarded-Proto/Host, a request id (the client's if
 * sane, else a UUID; sent to the app and back), Host routing through a map
 * with a 404 default, and the same JSON access log on stdout.
 */
export function featuresConfig(o: HandConfigOptions): string {
  return [
    "global",
    "  maxconn 4000",
    "  log stdout format raw local0",
    "defaults",
    "  mode http",
    "  log global",
    "  option forwardfor",
    "  timeout connect 3s",
    "  timeout client 30s",
    "  timeout server 30s",
    "frontend web",
    `  bind ${o.listen}`,
    "  http-request deny deny_status 400 if { req.hdr_cnt(host) gt 1 }",
    "  http-request del-header X-Forwarded-For",
    "  http-request set-header X-Request-Id %[uuid] unless { req.hdr(x-request-id) -m reg ^[A-Za-z0-9._:-]{1,128}$ }",
    "  unique-id-format %[req.hdr(x-request-id)]",
    "  http-after-response set-header X-Request-Id %[unique-id]",
    "  http-request set-header X-Forwarded-Proto http",
    "  http-request set-header X-Forwarded-Host %[req.hdr(host)]",
    "  http-request set-var(txn.host) req.hdr(host),field(1,:),lower",
    `  use_backend %[var(txn.host),map(${o.mapFile})]`,
    "  default_backend none",
    `  log-format '${HAND_ACCESS_LOG_FORMAT}'`,
    "backend app",
    `  server app1 ${o.server}`,
    "backend none",
    "  http-request return status 404",
    "",
  ].join("\n");
}
