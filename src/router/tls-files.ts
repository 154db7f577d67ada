import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { certificateProblem, inspectChain, nameCovers } from "../lib/x509.js";
import { tempPathFor } from "../lib/atomic-write.js";
import type { RouterPaths } from "./paths.js";
import { renderCrtList, renderMap } from "./render-tls.js";
import { certFile } from "./tls-plan.js";
import type { DesiredCertificate, DesiredRouter, RejectedCertificate } from "./types.js";

/**
 * Which certificates the router serves, and the files HAProxy reads them
 * from at start. A certificate that does not parse, whose key does not match
 * or that has expired is left out and reported, never written into the
 * crt-list: HAProxy refuses to start when one entry of it cannot be loaded,
 * and one bad certificate must not take every other host down.
 */

export interface ServedTls {
  certificates: DesiredCertificate[];
  /** Hosts that redirect to HTTPS: only those a served certificate covers. */
  redirectHttps: string[];
  hsts: Record<string, number>;
  rejected: RejectedCertificate[];
}

export class TlsSelection {
  /** name → fingerprint → names and expiry, for certificates that passed (a check parses and compares keys: not free). */
  private readonly checked = new Map<string, { fingerprint: string; names: string[]; notAfter: number }>();
  /** Certificates HAProxy itself refused at runtime (name → fingerprint): left out until they change. */
  readonly refused = new Map<string, { fingerprint: string; reason: string }>();

  select(desired: DesiredRouter, now: Date): ServedTls {
    const rejected: RejectedCertificate[] = [];
    const certificates: DesiredCertificate[] = [];
    const names: string[] = [];
    for (const c of desired.certificates ?? []) {
      const refused = this.refused.get(c.name);
      if (refused?.fingerprint === c.fingerprint) {
        rejected.push({ name: c.name, reason: refused.reason });
        continue;
      }
      const problem = this.problem(c, now);
      if (problem) rejected.push({ name: c.name, reason: problem });
      else {
        certificates.push(c);
        names.push(...this.checked.get(c.name)!.names);
      }
    }
    const covered = (h: string) => names.some((n) => nameCovers(n, h));
    const hsts: Record<string, number> = {};
    for (const [h, s] of Object.entries(desired.hsts ?? {})) if (covered(h)) hsts[h] = s;
    return { certificates, redirectHttps: (desired.redirectHttps ?? []).filter(covered), hsts, rejected };
  }

  private problem(c: DesiredCertificate, now: Date): string | null {
    const known = this.checked.get(c.name);
    if (known?.fingerprint === c.fingerprint)
      return known.notAfter > now.getTime() ? null : `it expired on ${new Date(known.notAfter).toISOString()}`;
    const problem = certificateProblem(c.pem, now);
    if (problem) return problem;
    const facts = inspectChain(c.pem);
    if (facts.fingerprint !== c.fingerprint) return "its fingerprint is not the one recorded in the store";
    this.checked.set(c.name, { fingerprint: c.fingerprint, names: facts.names, notAfter: facts.notAfter.getTime() });
    return null;
  }
}

/**
 * Writes the PEM files (only those whose content changed), removes ours that
 * are no longer served, and writes the crt-list and the maps. PEM files are
 * not fsynced: the store holds the certificates and every start rewrites
 * them from it.
 */
export function writeTlsFiles(paths: RouterPaths, served: ServedTls, acmeTokens: Map<string, string>): void {
  mkdirSync(paths.certsDir, { recursive: true, mode: 0o700 });
  const wanted = new Set<string>();
  for (const c of served.certificates) {
    const file = certFile(paths.certsDir, c.name);
    wanted.add(file);
    const content = c.pem.endsWith("\n") ? c.pem : `${c.pem}\n`;
    let current: string | null = null;
    try {
      current = readFileSync(file, "utf8");
    } catch {
      /* not written yet */
    }
    if (current !== content) writeQuick(file, content, 0o600);
  }
  for (const f of readdirSync(paths.certsDir)) {
    const file = `${paths.certsDir}/${f}`;
    if (f.endsWith(".pem") && !wanted.has(file)) rmSync(file, { force: true });
  }
  writeQuick(paths.crtList, renderCrtList([...wanted]), 0o600);
  writeQuick(
    paths.redirectMap,
    renderMap("Hosts redirected to HTTPS", Object.fromEntries(served.redirectHttps.map((h) => [h, 1]))),
  );
  writeQuick(paths.hstsMap, renderMap("Host -> HSTS max-age", served.hsts));
  writeQuick(paths.acmeMap, renderMap("ACME HTTP-01 token -> key authorization", Object.fromEntries(acmeTokens)));
}

/** Write beside, rename into place: readers never see half a file. */
export function writeQuick(path: string, content: string, mode = 0o644): void {
  const tmp = tempPathFor(path);
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}
