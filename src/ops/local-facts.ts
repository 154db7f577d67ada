import http from "node:http";
import { join } from "node:path";
import { isAlive, isHaproxyWithConfig, readPid } from "../router/proc.js";
import { runningServerPid } from "./pid-file.js";

/**
 * What `yk status` and `yk stop` can learn on the host without the server:
 * its pid file, the router's pid file, whether dockerd answers. Used when the
 * API does not answer (the server is down) and by `stop`.
 */
export interface LocalFacts {
  serverPid(dataDir: string): number | null;
  routerPid(dataDir: string): number | null;
  dockerVersion(): Promise<string | null>;
  /** Sends SIGTERM to pid and waits (bounded) until it is gone; true when it exited. */
  terminate(pid: number, timeoutMs: number): Promise<boolean>;
}

export const hostFacts: LocalFacts = {
  serverPid: (dataDir) => runningServerPid(join(dataDir, "server.pid")),
  routerPid: (dataDir) => {
    const pid = readPid(join(dataDir, "router", "haproxy.pid"));
    return pid !== null && isHaproxyWithConfig(pid, join(dataDir, "router", "haproxy.cfg")) ? pid : null;
  },
  dockerVersion: () =>
    new Promise((resolve) => {
      const req = http.get({ socketPath: "/var/run/docker.sock", path: "/version", timeout: 3000 }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString("utf8")));
        res.on("end", () => {
          try {
            resolve((JSON.parse(body) as { Version?: string }).Version ?? null);
          } catch {
            resolve(null);
          }
        });
      });
      req.on("error", () => resolve(null));
      req.on("timeout", () => req.destroy());
    }),
  terminate: async (pid, timeoutMs) => {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      return true;
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return !isAlive(pid);
  },
};
