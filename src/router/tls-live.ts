import type { LiveStep } from "./live-plan.js";
import type { RouterPaths } from "./paths.js";
import { RuntimeApiError, type RuntimeClient } from "./runtime-client.js";
import { parseShowMap } from "./stat-parse.js";
import type { TlsSelection, ServedTls } from "./tls-files.js";
import {
  certFile,
  parseCertFingerprint,
  parseShowCrtList,
  parseShowSslCert,
  type LiveTls,
  type TlsFiles,
} from "./tls-plan.js";

/**
 * Reads what certificates a running HAProxy serves and changes them through
 * the runtime API. The router calls it inside its one queue, so there is
 * never more than one certificate transaction at a time (HAProxy 2.6's
 * limit). A certificate HAProxy refuses is aborted and reported; the others
 * go on.
 */
export class TlsLive {
  readonly files: TlsFiles;
  /** file → SHA-1 of what the running worker serves; null when unknown (an adopted HAProxy). */
  private fingerprints: Map<string, string> | null = null;

  constructor(
    private readonly client: RuntimeClient,
    paths: RouterPaths,
    private readonly selection: TlsSelection,
  ) {
    this.files = {
      certsDir: paths.certsDir,
      crtList: paths.crtList,
      redirectMap: paths.redirectMap,
      hstsMap: paths.hstsMap,
    };
  }

  /** A worker that just loaded the files serves exactly these certificates. */
  loadedFromFiles(served: ServedTls): void {
    this.fingerprints = new Map(served.certificates.map((c) => [certFile(this.files.certsDir, c.name), c.fingerprint]));
  }

  /** What the running worker serves is not known (adopted): ask it at the next sync. */
  forget(): void {
    this.fingerprints = null;
  }

  async readLive(served: ServedTls): Promise<LiveTls> {
    const [certText, listText, redirectText, hstsText] = await Promise.all([
      this.client.send("show ssl cert"),
      this.client.send(`show ssl crt-list ${this.files.crtList}`),
      this.client.send(`show map ${this.files.redirectMap}`),
      this.client.send(`show map ${this.files.hstsMap}`),
    ]);
    const { stored, transactions } = parseShowSslCert(certText);
    const known = this.fingerprints ?? new Map<string, string>();
    const storedSet = new Set(stored);
    // Fingerprints the cache lacks are asked for, one command per certificate (after an adoption only).
    for (const c of served.certificates) {
      const f = certFile(this.files.certsDir, c.name);
      if (!storedSet.has(f) || known.has(f)) continue;
      const fp = parseCertFingerprint(await this.client.send(`show ssl cert ${f}`));
      if (fp) known.set(f, fp);
    }
    this.fingerprints = known;
    return {
      stored,
      transactions,
      listed: parseShowCrtList(listText),
      fingerprints: new Map(known),
      redirect: parseShowMap(redirectText),
      hsts: parseShowMap(hstsText),
    };
  }

  /**
   * Runs the steps of each certificate in order. When HAProxy refuses one,
   * its transaction is aborted, the rest of its steps skipped and the
   * certificate marked refused. Returns the refused files.
   */
  async addCertificates(steps: LiveStep[]): Promise<string[]> {
    const refused: string[] = [];
    let skipping: string | null = null;
    for (const step of steps) {
      if (step.certificate && step.certificate === skipping) continue;
      try {
        await this.client.run(step.command, step.expect, step.payload);
        if (step.expect === "ssl-success" && step.command.startsWith("commit ") && step.certificate)
          this.fingerprints?.set(step.certificate, step.fingerprint ?? "");
      } catch (e) {
        if (!(e instanceof RuntimeApiError) || e.kind !== "rejected" || !step.certificate) throw e;
        skipping = step.certificate;
        refused.push(step.certificate);
        await this.client.send(`abort ssl cert ${step.certificate}`).catch(() => "");
        this.fingerprints?.delete(step.certificate);
        const name = step.certificate.slice(this.files.certsDir.length + 1, -".pem".length);
        this.selection.refused.set(name, {
          fingerprint: step.fingerprint ?? "",
          reason: `HAProxy refused it: ${e.message}`,
        });
      }
    }
    return refused;
  }

  /** Removals: a failure is reported by throwing after the others were tried. */
  async removeCertificates(steps: LiveStep[]): Promise<void> {
    let first: unknown = null;
    for (const step of steps) {
      try {
        await this.client.run(step.command, step.expect);
        if (step.certificate) this.fingerprints?.delete(step.certificate);
      } catch (e) {
        first ??= e;
      }
    }
    if (first) throw first;
  }
}
