import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";

/**
 * Facts about X.509 certificates and keys in PEM, with Node's own crypto (no
 * parser of ours). Pure: the clock is passed in. Used where certificates come
 * in (an upload, an ACME order) and where they go out (the router writes only
 * certificates that pass).
 */

export interface CertificateFacts {
  /** DNS names the certificate is valid for (SANs; the CN only when there is no SAN), lowercase. */
  names: string[];
  notBefore: Date;
  notAfter: Date;
  /** The issuer's CN (or the whole issuer when it has none). */
  issuer: string;
  /** SHA-1 of the leaf, uppercase hex without colons, as HAProxy's `show ssl cert` prints it. */
  fingerprint: string;
  /** The leaf then its chain, PEM blocks normalised (no blank lines, "\n" line ends). */
  chain: string[];
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;

/** The PEM blocks of a text, certificates and private keys apart; anything else is ignored. */
export function splitPem(text: string): { certs: string[]; keys: string[] } {
  const certs: string[] = [];
  const keys: string[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const block = m[0]
      .replace(/\r/g, "")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .join("\n");
    if (m[1] === "CERTIFICATE") certs.push(block);
    else if (/PRIVATE KEY$/.test(m[1])) keys.push(block);
  }
  return { certs, keys };
}

/** Reads a certificate chain; throws an Error whose message says what is wrong. */
export function inspectChain(pem: string): CertificateFacts {
  const { certs } = splitPem(pem);
  if (certs.length === 0) throw new Error("no PEM certificate found (expected -----BEGIN CERTIFICATE-----)");
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(certs[0]);
  } catch (e) {
    throw new Error(`the certificate does not parse (${(e as Error).message})`, { cause: e });
  }
  certs.slice(1).forEach((c, i) => {
    try {
      new X509Certificate(c);
    } catch (e) {
      throw new Error(`certificate ${i + 2} of the chain does not parse (${(e as Error).message})`, { cause: e });
    }
  });
  const sans = (leaf.subjectAltName ?? "")
    .split(/,\s*/)
    .filter((s) => s.startsWith("DNS:"))
    .map((s) => s.slice(4).toLowerCase());
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(leaf.subject)?.[1]?.toLowerCase();
  const issuerCn = /(?:^|\n)CN=([^\n]+)/.exec(leaf.issuer)?.[1];
  return {
    names: sans.length > 0 ? [...new Set(sans)] : cn ? [cn] : [],
    notBefore: new Date(Date.parse(leaf.validFrom)),
    notAfter: new Date(Date.parse(leaf.validTo)),
    issuer: issuerCn ?? leaf.issuer.replace(/\n/g, ", "),
    fingerprint: leaf.fingerprint.replace(/:/g, "").toUpperCase(),
    chain: certs,
  };
}

/** Reads a private key; throws an Error that says why it cannot be used. */
export function readPrivateKey(pem: string): KeyObject {
  const { keys } = splitPem(pem);
  if (keys.length === 0) throw new Error("no PEM private key found (expected -----BEGIN ... PRIVATE KEY-----)");
  if (/ENCRYPTED/.test(keys[0])) throw new Error("the private key is encrypted: upload it without a passphrase");
  try {
    return createPrivateKey(keys[0]);
  } catch (e) {
    throw new Error(`the private key does not parse (${(e as Error).message})`, { cause: e });
  }
}

export function keyMatches(leafPem: string, key: KeyObject): boolean {
  try {
    return new X509Certificate(leafPem).checkPrivateKey(key);
  } catch {
    return false;
  }
}

/** `pattern` (a name from a certificate, maybe "*.example.com") covers `host`: a wildcard stands for exactly one label. */
export function nameCovers(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (!p.startsWith("*.")) return p === h;
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot + 1) === p.slice(2);
}

/**
 * Why a combined PEM (certificate, chain, key) must not be served, or null
 * when it can: it parses, the key matches the leaf, and it has not expired.
 */
export function certificateProblem(pem: string, now: Date): string | null {
  let facts: CertificateFacts;
  let key: KeyObject;
  try {
    facts = inspectChain(pem);
    key = readPrivateKey(pem);
  } catch (e) {
    return (e as Error).message;
  }
  if (!keyMatches(facts.chain[0], key)) return "the private key does not match the certificate";
  if (facts.notAfter.getTime() <= now.getTime()) return `it expired on ${facts.notAfter.toISOString()}`;
  return null;
}

/** Certificates then keys, one PEM block after another with no blank line: what HAProxy's `set ssl cert` payload needs. */
export function compactPem(text: string): string {
  const { certs, keys } = splitPem(text);
  return [...certs, ...keys].join("\n");
}
