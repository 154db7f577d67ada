import http from "node:http";
import { lookup } from "node:dns/promises";
import { randomBytes } from "node:crypto";
import type { ChallengeAnswer } from "./acme.js";

/**
 * Before any order, Yadokari fetches a challenge token of its own through the
 * hostname, exactly as the CA will (DNS, then plain HTTP on the router's
 * port). A hostname that does not reach this router fails here, costing none
 * of the CA's rate limits (Let's Encrypt allows 5 failed validations per
 * hostname an hour), and the message says what to fix.
 */
export class SelfCheckError extends Error {}

export async function selfCheck(
  hostname: string,
  port: number,
  answer: ChallengeAnswer,
  timeoutMs = 5000,
): Promise<void> {
  let addresses: string[];
  try {
    addresses = (await lookup(hostname, { all: true })).map((a) => a.address);
  } catch (e) {
    throw new SelfCheckError(
      `${hostname} does not resolve (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): add a DNS A record for ${hostname} pointing at this server's public address; no certificate was ordered`,
    );
  }
  const token = randomBytes(18).toString("base64url");
  const expected = `${token}.${randomBytes(12).toString("base64url")}`;
  await answer.set(token, expected);
  try {
    let got: { status: number; body: string };
    try {
      got = await fetchChallenge(hostname, port, token, timeoutMs);
    } catch (e) {
      throw new SelfCheckError(
        `${hostname} resolves to ${addresses.join(", ")}, but nothing answered on port ${port} there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): point ${hostname} at this server and let port ${port} in; the CA validates over plain HTTP. No certificate was ordered`,
      );
    }
    if (got.status !== 200 || got.body.trim() !== expected)
      throw new SelfCheckError(
        `${hostname} resolves to ${addresses.join(", ")}, but the answer on port ${port} did not come from this Yadokari router (HTTP ${got.status}): point ${hostname}'s DNS at this server. No certificate was ordered`,
      );
  } finally {
    await answer.clear(token).catch(() => {});
  }
}

function fetchChallenge(
  hostname: string,
  port: number,
  token: string,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: hostname,
        port,
        path: `/.well-known/acme-challenge/${token}`,
        agent: false,
        timeout: timeoutMs,
        headers: { "user-agent": "yadokari-self-check" },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => {
          if (body.length < 4096) body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    req.on("error", reject);
  });
}
