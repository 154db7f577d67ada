import http from "node:http";
import https from "node:https";

export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  /** first few failures, for the assertion message */
  failures: string[];
  bodies: Map<string, number>;
}

/**
 * Steady keep-alive HTTP load against the router on 127.0.0.1, as browsers
 * and API clients send it. Bounded: stops at `maxRequests` or when `stop()`
 * is called, and at `maxMs` whatever happens.
 */
export function keepAliveLoad(opts: {
  port: number;
  host: string;
  connections: number;
  maxRequests: number;
  maxMs: number;
  path?: string;
  onResponse?: (status: number, body: string, at: number) => void;
  /** HTTPS with SNI = host, the chain verified against `ca`. */
  tls?: { ca: string };
}) {
  const agent = opts.tls
    ? new https.Agent({ keepAlive: true, maxSockets: opts.connections, ca: opts.tls.ca, servername: opts.host })
    : new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const get = opts.tls ? https.get : http.get;
  const result: LoadResult = { sent: 0, ok: 0, failed: 0, failures: [], bodies: new Map() };
  let stopped = false;
  const deadline = Date.now() + opts.maxMs;
  const one = () =>
    new Promise<void>((resolve) => {
      result.sent++;
      const req = get(
        {
          host: "127.0.0.1",
          port: opts.port,
          path: opts.path ?? "/",
          agent,
          headers: { host: opts.host },
          timeout: 10000,
          ...(opts.tls ? { servername: opts.host, ca: opts.tls.ca } : {}),
        },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (body += d));
          res.on("end", () => {
            opts.onResponse?.(res.statusCode ?? 0, body, Date.now());
            if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400) {
              result.ok++;
              const key = body.trim().slice(0, 40);
              result.bodies.set(key, (result.bodies.get(key) ?? 0) + 1);
            } else fail(`status ${res.statusCode}: ${body.slice(0, 80)}`);
            resolve();
          });
          res.on("error", (e) => {
            fail(`response error ${e.message}`);
            resolve();
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (e) => {
        fail(`socket error ${e.message}`);
        resolve();
      });
    });
  const fail = (why: string) => {
    result.failed++;
    if (result.failures.length < 10) result.failures.push(why);
  };
  const worker = async () => {
    while (!stopped && result.sent < opts.maxRequests && Date.now() < deadline) await one();
  };
  const done = Promise.all(Array.from({ length: opts.connections }, worker)).then(() => {
    agent.destroy();
    return result;
  });
  return {
    result,
    done,
    stop: () => {
      stopped = true;
      return done;
    },
  };
}
