import { test } from "node:test";
import assert from "node:assert/strict";
import type { StoredCertificate } from "./cert-store.js";
import { acmeIneligible, backoffDelay, dueWork, renewAt, servedCertificates } from "./policy.js";

const DAY = 86_400_000;
const NOW = Date.UTC(2030, 0, 1);
let id = 1;
const cert = (over: Partial<StoredCertificate>): StoredCertificate => ({
  id: id++,
  source: "acme",
  app: null,
  hostname: null,
  names: [],
  chain: "",
  fingerprint: `FP${id}`,
  issuer: "CA",
  notBefore: NOW - DAY,
  notAfter: NOW + 89 * DAY,
  createdAt: NOW - DAY,
  ...over,
});
const hosts = [
  { hostname: "a.example.com", app: "a" },
  { hostname: "b.example.com", app: "b" },
  { hostname: "c.example.com", app: "c" },
];

test("renewal is due at a third of the lifetime left, moved earlier by at most a twentieth, stable per certificate", () => {
  for (const lifetimeDays of [90, 64, 45, 6]) {
    const c = cert({ notBefore: NOW, notAfter: NOW + lifetimeDays * DAY });
    const at = renewAt(c);
    const lifetime = lifetimeDays * DAY;
    assert.ok(at <= c.notAfter - lifetime / 3, `${lifetimeDays} days`);
    assert.ok(at >= c.notAfter - lifetime / 3 - lifetime / 20);
    assert.equal(renewAt(c), at);
  }
  const spread = new Set(Array.from({ length: 20 }, (_, i) => renewAt(cert({ fingerprint: `X${i}` }))));
  assert.ok(spread.size > 15, "jitter spreads certificates issued together");
});

test("due work: missing certificates first, then renewals by expiry; auto off, backoff, .localhost and uploaded ones skipped", () => {
  const certs = [
    cert({ hostname: "a.example.com", notBefore: NOW - 80 * DAY, notAfter: NOW + 10 * DAY }),
    cert({ hostname: "b.example.com", notBefore: NOW - 85 * DAY, notAfter: NOW + 5 * DAY }),
  ];
  const all = [
    ...hosts,
    { hostname: "d.localhost", app: "d" },
    { hostname: "e.example.com", app: "e" },
    { hostname: "api.example.com", app: null },
  ];
  const work = dueWork(all, certs, (app) => app !== "e", new Map([["api.example.com", { nextAt: NOW + 1000 }]]), NOW);
  assert.deepEqual(
    work.map((w) => `${w.kind} ${w.hostname}`),
    ["issue c.example.com", "renew b.example.com", "renew a.example.com"],
  );
  const uploaded = cert({ source: "uploaded", app: "c", names: ["*.example.com"] });
  assert.deepEqual(
    dueWork(hosts, [...certs, uploaded], () => true, new Map(), NOW).map((w) => w.hostname),
    [],
    "a valid uploaded wildcard covers them all",
  );
  assert.match(acmeIneligible("web.localhost") ?? "", /localhost/);
  assert.equal(acmeIneligible("web.example.com"), null);
});

test("served: uploaded certificates, and ACME ones of routed hosts not named exactly by an upload; expired ones never", () => {
  const acmeA = cert({ hostname: "a.example.com", names: ["a.example.com"] });
  const acmeB = cert({ hostname: "b.example.com", names: ["b.example.com"] });
  const gone = cert({ hostname: "gone.example.com", names: ["gone.example.com"] });
  const expired = cert({ hostname: "c.example.com", notAfter: NOW - 1 });
  const upB = cert({ source: "uploaded", app: "b", names: ["b.example.com"] });
  const settings = (app: string) => ({ auto: true, redirectHttps: app !== "c", hstsMaxAge: app === "a" ? 600 : null });
  const s = servedCertificates(hosts, [acmeA, acmeB, gone, expired, upB], settings, NOW);
  assert.deepEqual(
    s.certificates.map((c) => c.id),
    [upB.id, acmeA.id],
  );
  assert.deepEqual(s.redirectHttps, ["a.example.com", "b.example.com"]);
  assert.deepEqual(s.hsts, { "a.example.com": 600 });
});

test("backoff doubles from the base and is capped", () => {
  const p = { baseMs: 60_000, maxMs: 3600_000 };
  assert.deepEqual(
    [1, 2, 3, 4, 10, 100].map((n) => backoffDelay(n, p)),
    [60_000, 120_000, 240_000, 480_000, 3600_000, 3600_000],
  );
});
