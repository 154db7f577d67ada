import { test } from "node:test";
import assert from "node:assert/strict";
import { renderCerts } from "./certs.js";
import type { CertsView } from "../../certs/views.js";

test("yk certs: one row per hostname with status, source, issuer, expiry and the last attempt; failures explained", () => {
  const now = new Date("2030-01-01T00:00:00Z");
  const v: CertsView = {
    app: "web",
    https: true,
    acme: true,
    auto: true,
    redirectHttps: true,
    hstsMaxAge: null,
    uploaded: [],
    hostnames: [
      {
        hostname: "web.example.com",
        app: "web",
        status: "issued",
        certificate: {
          source: "acme",
          issuer: "R3",
          names: ["web.example.com"],
          notBefore: "2029-12-01T00:00:00Z",
          notAfter: "2030-03-01T00:00:00.000Z",
          fingerprint: "AB",
        },
        renewAt: "2030-01-30T00:00:00Z",
        lastAttempt: { at: "2029-12-01T00:00:00Z", ok: true, ordered: true, message: "issued" },
        nextAttemptAt: null,
        note: null,
      },
      {
        hostname: "www.example.com",
        app: "web",
        status: "failing",
        certificate: null,
        renewAt: null,
        lastAttempt: {
          at: "2029-12-31T23:00:00Z",
          ok: false,
          ordered: false,
          message: "www.example.com does not resolve (ENOTFOUND)",
        },
        nextAttemptAt: "2030-01-01T00:10:00Z",
        note: "www.example.com does not resolve (ENOTFOUND)",
      },
    ],
  };
  const out = renderCerts(v, now);
  assert.match(out, /automatic certificates on, redirect to HTTPS on, HSTS off/);
  assert.match(out, /web\.example\.com\s+issued\s+auto\s+R3\s+2030-03-01/);
  assert.match(out, /www\.example\.com\s+failing\s+-/);
  assert.match(out, /www\.example\.com: www\.example\.com does not resolve \(ENOTFOUND\) \(next attempt/);
});
