import { compactPem } from "../lib/x509.js";
import { planMap, type LiveStep } from "./live-plan.js";
import type { DesiredCertificate } from "./types.js";

/**
 * The runtime API commands that make HAProxy's certificates and TLS maps
 * match the desired ones. Pure; the router sends them in order, one
 * certificate transaction at a time (HAProxy 2.6 allows no more).
 *
 * A new certificate: `new ssl cert F`, `set ssl cert F <<PEM`, `commit ssl
 * cert F`, `add ssl crt-list L F`. A renewed one: set and commit on the same
 * file, which swaps it atomically for new handshakes. A removed one: `del ssl
 * crt-list L F` then `del ssl cert F`. Additions come before any redirect
 * points at HTTPS, removals after the redirects are gone, so no request is
 * redirected to a host without a certificate.
 */

export interface LiveTls {
  /** Certificate files in HAProxy's store (`show ssl cert`, without transactions). */
  stored: string[];
  /** Files with an uncommitted transaction (a server that died mid-change): aborted first. */
  transactions: string[];
  /** Files in the crt-list (`show ssl crt-list L`). */
  listed: string[];
  /** SHA-1 of the live leaf of stored files, where known. */
  fingerprints: Map<string, string>;
  redirect: Map<string, string[]>;
  hsts: Map<string, string[]>;
}

export interface TlsFiles {
  certsDir: string;
  crtList: string;
  redirectMap: string;
  hstsMap: string;
}

export interface TlsPlan {
  /** Aborts, then new and changed certificates. */
  certAdds: LiveStep[];
  mapSets: LiveStep[];
  mapDeletes: LiveStep[];
  certRemovals: LiveStep[];
}

export const certFile = (certsDir: string, name: string) => `${certsDir}/${name}.pem`;

export function planTls(
  desired: { certificates: DesiredCertificate[]; redirectHttps: string[]; hsts: Record<string, number> },
  live: LiveTls,
  files: TlsFiles,
): TlsPlan {
  const stored = new Set(live.stored);
  const listed = new Set(live.listed);
  const certAdds: LiveStep[] = live.transactions.map((f) => ({
    command: `abort ssl cert ${f}`,
    expect: "ssl-aborted",
  }));
  const wanted = new Set<string>();
  for (const c of desired.certificates) {
    const f = certFile(files.certsDir, c.name);
    wanted.add(f);
    const group = (command: string, expect: LiveStep["expect"], payload?: string): LiveStep => ({
      command,
      expect,
      certificate: f,
      fingerprint: c.fingerprint,
      ...(payload !== undefined ? { payload } : {}),
    });
    const changed = !stored.has(f) || live.fingerprints.get(f) !== c.fingerprint;
    if (!stored.has(f)) certAdds.push(group(`new ssl cert ${f}`, "ssl-new"));
    if (changed) {
      certAdds.push(group(`set ssl cert ${f}`, "ssl-set", compactPem(c.pem)));
      certAdds.push(group(`commit ssl cert ${f}`, "ssl-success"));
    }
    if (!listed.has(f)) certAdds.push(group(`add ssl crt-list ${files.crtList} ${f}`, "ssl-success"));
  }
  const certRemovals: LiveStep[] = [];
  for (const f of live.listed) {
    if (wanted.has(f)) continue;
    certRemovals.push({ command: `del ssl crt-list ${files.crtList} ${f}`, expect: "crtlist-deleted", certificate: f });
  }
  for (const f of live.stored) {
    if (wanted.has(f) || !f.startsWith(`${files.certsDir}/`)) continue;
    certRemovals.push({ command: `del ssl cert ${f}`, expect: "ssl-deleted", certificate: f });
  }
  const redirect = planMap(
    Object.fromEntries(desired.redirectHttps.map((h) => [h, "1"])),
    live.redirect,
    files.redirectMap,
  );
  const hsts = planMap(
    Object.fromEntries(Object.entries(desired.hsts).map(([h, s]) => [h, String(s)])),
    live.hsts,
    files.hstsMap,
  );
  return {
    certAdds,
    mapSets: [...redirect.sets, ...hsts.sets],
    mapDeletes: [...redirect.deletes, ...hsts.deletes],
    certRemovals,
  };
}

/** `show ssl cert`: "# transaction" then "*file" lines, "# filename" then file lines. */
export function parseShowSslCert(text: string): { stored: string[]; transactions: string[] } {
  const stored: string[] = [];
  const transactions: string[] = [];
  for (const raw of text.split("\n")) {
    const l = raw.trim();
    if (l === "" || l.startsWith("#")) continue;
    if (l.startsWith("*")) transactions.push(l.slice(1));
    else stored.push(l);
  }
  return { stored, transactions };
}

/** `show ssl crt-list FILE`: "# FILE" then one line per entry, its file first. */
export function parseShowCrtList(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => l.split(/\s+/)[0]);
}

/** `show ssl cert FILE`: the "SHA1 FingerPrint" line. */
export function parseCertFingerprint(text: string): string | null {
  return /SHA1 FingerPrint:\s*([0-9A-Fa-f]{40})/.exec(text)?.[1]?.toUpperCase() ?? null;
}
