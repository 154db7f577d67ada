import { join, resolve } from "node:path";
import { AppError } from "../errors/app-error.js";

/** Where the router keeps its files, all under one directory (<data-dir>/router). */
export interface RouterPaths {
  dir: string;
  config: string;
  map: string;
  pid: string;
  adminSocket: string;
  masterSocket: string;
  log: string;
  /** One PEM per certificate (certificate, chain, key), mode 0600. */
  certsDir: string;
  /** The HTTPS listener's crt-list: one certificate file per line. */
  crtList: string;
  /** An always empty crt-list the config check uses (see HaproxyRouter.writeFiles). */
  crtListCheck: string;
  /** Hosts whose HTTP requests redirect to HTTPS. */
  redirectMap: string;
  /** Host → HSTS max-age. */
  hstsMap: string;
  /** ACME HTTP-01 token → key authorization. */
  acmeMap: string;
}

// sun_path holds 108 bytes including the terminating NUL.
const MAX_SOCKET_PATH = 107;

export function routerPaths(dir: string): RouterPaths {
  const abs = resolve(dir);
  const paths = {
    dir: abs,
    config: join(abs, "haproxy.cfg"),
    map: join(abs, "hosts.map"),
    pid: join(abs, "haproxy.pid"),
    adminSocket: join(abs, "admin.sock"),
    masterSocket: join(abs, "master.sock"),
    log: join(abs, "haproxy.log"),
    certsDir: join(abs, "certs"),
    crtList: join(abs, "certs.list"),
    crtListCheck: join(abs, "certs.check.list"),
    redirectMap: join(abs, "redirect.map"),
    hstsMap: join(abs, "hsts.map"),
    acmeMap: join(abs, "acme.map"),
  };
  for (const sock of [paths.adminSocket, paths.masterSocket]) {
    if (Buffer.byteLength(sock) > MAX_SOCKET_PATH) {
      throw new AppError(
        "router_failed",
        `router: socket path ${sock} is longer than ${MAX_SOCKET_PATH} bytes, the limit for a UNIX socket`,
        "Use a shorter data directory path.",
      );
    }
  }
  return paths;
}
