import { createHash } from "node:crypto";
import { nameCovers } from "../lib/x509.js";
import type { CertAttempt, StoredCertificate, TlsSettings } from "./cert-store.js";

/**
 * Pure rules of the certificate lifecycle: which stored certificates the
 * router serves, which hostnames need an ACME order or a renewal and in what
 * order, when a renewal is due, and how long a failing hostname waits. The
 * clock is passed in.
 */

/** A hostname the router routes: an app's (default or custom), or Yadokari's own API hostname (app null). */
export interface RoutedHost {
  hostname: string;
  app: string | null;
}

/** Hosts that can never get a publicly trusted certificate (RFC 6761: localhost is never delegated). */
export function acmeIneligible(hostname: string): string | null {
  if (hostname === "localhost" || hostname.endsWith(".localhost"))
    return "a .localhost name cannot get a certificate from a public CA: give the app a real domain (yk domains:add) or start the server with --domain";
  return null;
}

/**
 * Renewal at a third of the lifetime left (not a fixed number of days: 90-,
 * 64- and 45-day certificates all renew in time), moved earlier by a jitter
 * of up to a twentieth of the lifetime, stable per certificate so that a
 * restart does not move it, and spreading certificates issued together.
 */
export function renewAt(c: Pick<StoredCertificate, "notBefore" | "notAfter" | "fingerprint">): number {
  const lifetime = Math.max(0, c.notAfter - c.notBefore);
  const unit = parseInt(createHash("sha256").update(c.fingerprint).digest("hex").slice(0, 8), 16) / 0xffffffff;
  return c.notAfter - lifetime / 3 - unit * (lifetime / 20);
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** 1, 2, 4, … times the base after each failure in a row, capped. */
export function backoffDelay(failures: number, p: BackoffPolicy): number {
  return Math.min(p.maxMs, p.baseMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
}

/** Uploaded certificates that serve `host`: an exact name first, then a wildcard. */
export function uploadedFor(host: string, certs: StoredCertificate[], now: number): StoredCertificate[] {
  const valid = certs.filter((c) => c.source === "uploaded" && c.notAfter > now);
  const exact = valid.filter((c) => c.names.includes(host));
  const wild = valid.filter((c) => !c.names.includes(host) && c.names.some((n) => nameCovers(n, host)));
  return [...exact, ...wild];
}

/**
 * What the router serves: every unexpired uploaded certificate, and the ACME
 * certificate of each routed hostname unless an uploaded one names that
 * hostname exactly (the team's own certificate wins; with two for one exact
 * name HAProxy's choice would be arbitrary). Redirects and HSTS follow each
 * app's settings; the router itself keeps only hosts a served certificate covers.
 */
export function servedCertificates(
  hosts: RoutedHost[],
  certs: StoredCertificate[],
  settings: (app: string) => TlsSettings,
  now: number,
): { certificates: StoredCertificate[]; redirectHttps: string[]; hsts: Record<string, number> } {
  const routed = new Set(hosts.map((h) => h.hostname));
  const uploaded = certs.filter((c) => c.source === "uploaded" && c.notAfter > now);
  const exactUploaded = new Set(uploaded.flatMap((c) => c.names));
  const acme = certs.filter(
    (c) =>
      c.source === "acme" && c.hostname && routed.has(c.hostname) && !exactUploaded.has(c.hostname) && c.notAfter > now,
  );
  const redirectHttps: string[] = [];
  const hsts: Record<string, number> = {};
  for (const h of hosts) {
    const s = h.app === null ? { redirectHttps: true, hstsMaxAge: null } : settings(h.app);
    if (s.redirectHttps) redirectHttps.push(h.hostname);
    if (s.hstsMaxAge !== null) hsts[h.hostname] = s.hstsMaxAge;
  }
  return { certificates: [...uploaded, ...acme], redirectHttps, hsts };
}

export interface AcmeWork {
  hostname: string;
  kind: CertAttempt["kind"];
  /** When the current certificate must be replaced by (ms); 0 for a hostname without one. */
  deadline: number;
}

/**
 * Hostnames due for an ACME order now, most urgent first: those without a
 * certificate, then renewals by expiry. Skipped: apps with automatic
 * certificates off, .localhost names, hostnames an uploaded certificate
 * covers (until that one is itself due), and hostnames in backoff.
 */
export function dueWork(
  hosts: RoutedHost[],
  certs: StoredCertificate[],
  auto: (app: string) => boolean,
  backoff: Map<string, { nextAt: number }>,
  now: number,
): AcmeWork[] {
  const work: AcmeWork[] = [];
  for (const h of hosts) {
    if (h.app !== null && !auto(h.app)) continue;
    if (acmeIneligible(h.hostname)) continue;
    if ((backoff.get(h.hostname)?.nextAt ?? 0) > now) continue;
    if (uploadedFor(h.hostname, certs, now).some((c) => renewAt(c) > now)) continue;
    const current = certs.find((c) => c.source === "acme" && c.hostname === h.hostname);
    if (!current) work.push({ hostname: h.hostname, kind: "issue", deadline: 0 });
    else if (renewAt(current) <= now) work.push({ hostname: h.hostname, kind: "renew", deadline: current.notAfter });
  }
  return work.sort((a, b) => a.deadline - b.deadline || (a.hostname < b.hostname ? -1 : 1));
}
