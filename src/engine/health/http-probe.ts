import http from "node:http";
import type { Probe } from "./gate.js";

/** A plain GET with its own connection (no pooling: a gate must see a fresh connect). */
export const httpProbe: Probe = (url, timeoutMs) =>
  new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { agent: false, timeout: timeoutMs, headers: { "user-agent": "yadokari-healthcheck" } },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (d: Buffer) => {
          if (size < 65536) chunks.push(d);
          size += d.length;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    req.on("error", reject);
  });
