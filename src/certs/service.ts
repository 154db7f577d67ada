import { AppError } from "../errors/app-error.js";
import { defaultHostname, validateHostname } from "../domain/names.js";
import type { Store } from "../store/store.js";
import type { DesiredApiRoute, DesiredCertificate, RouterPort } from "../router/types.js";
import { MAX_HSTS_SEC } from "../router/validate.js";
import { inspectChain, keyMatches, nameCovers, readPrivateKey, splitPem, type CertificateFacts } from "../lib/x509.js";
import type { AcmeIssuer, ChallengeAnswer } from "./acme.js";
import type { CertStore, StoredCertificate, TlsSettings } from "./cert-store.js";
import {
  acmeIneligible,
  backoffDelay,
  dueWork,
  renewAt,
  servedCertificates,
  uploadedFor,
  type AcmeWork,
  type BackoffPolicy,
  type RoutedHost,
} from "./policy.js";
import { selfCheck } from "./self-check.js";
import { hostView, type CertsView } from "./views.js";

export interface CertificatesOptions {
  store: CertStore;
  apps: Pick<Store, "listApps" | "listDomains" | "getApp">;
  domain: string;
  router: RouterPort;
  /** Makes the live router match the store (syncRouter). */
  sync: () => Promise<void>;
  log: (m: string) => void;
  now?: () => number;
  /** False when the server runs with --https-listen off. */
  https: boolean;
  /** The router's HTTP port, where the CA (and the self-check) fetch challenges. */
  httpPort: number;
  /** Yadokari's own API behind the router (--api-hostname). */
  api?: DesiredApiRoute;
  acme: AcmeIssuer | null;
  backoff?: BackoffPolicy;
  /** Review apps of an app: an uploaded wildcard for the review-app domain covers them. */
  reviewChildren?: (app: string) => string[];
  /** Orders in flight at once (each waits on the CA most of its time). */
  concurrency?: number;
}

/**
 * The certificate lifecycle: uploaded certificates validated and stored with
 * their keys sealed; automatic ones ordered, renewed at a third of their
 * lifetime left and retried with a per-hostname backoff; every change pushed
 * to the router live (the store is the truth, the router follows it).
 */
export class Certificates {
  private readonly now: () => number;
  private readonly backoff: BackoffPolicy;
  private readonly inFlight = new Set<string>();
  private readonly pemCache = new Map<number, DesiredCertificate>();
  private readonly reportedExpired = new Set<number>();
  private kickTimer: NodeJS.Timeout | null = null;
  private interval: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly answer: ChallengeAnswer;

  constructor(private readonly o: CertificatesOptions) {
    this.now = o.now ?? Date.now;
    this.backoff = o.backoff ?? { baseMs: 60_000, maxMs: 6 * 3600_000 };
    this.answer = {
      set: (token, value) => this.requireChallenges()(token, value),
      clear: (token) => this.requireChallenges()(token, null),
    };
  }

  get store(): CertStore {
    return this.o.store;
  }

  /** Every hostname the router routes, with the app it belongs to. */
  routedHosts(): RoutedHost[] {
    const hosts: RoutedHost[] = [];
    for (const a of this.o.apps.listApps()) {
      hosts.push({ hostname: defaultHostname(a.name, this.o.domain), app: a.name });
      for (const d of this.o.apps.listDomains(a.name)) hosts.push({ hostname: d, app: a.name });
    }
    if (this.o.api) hosts.push({ hostname: this.o.api.hostname, app: null });
    return hosts;
  }

  /**
   * The TLS part of the router's desired state. Called at every router sync
   * (and by the watchdog), so it also notices new hostnames and schedules
   * their orders within a moment.
   */
  desired(): {
    certificates: DesiredCertificate[];
    redirectHttps: string[];
    hsts: Record<string, number>;
    api?: DesiredApiRoute;
  } {
    const api = this.o.api ? { api: this.o.api } : {};
    if (!this.o.https) return { certificates: [], redirectHttps: [], hsts: {}, ...api };
    const served = servedCertificates(
      this.routedHosts(),
      this.o.store.all(),
      (app) => this.o.store.settings(app),
      this.now(),
    );
    const certificates: DesiredCertificate[] = [];
    const now = this.now();
    for (const c of this.o.store.all())
      if (c.notAfter <= now && !this.reportedExpired.has(c.id)) {
        this.reportedExpired.add(c.id);
        this.o.log(
          `certificate ${c.source === "acme" ? `acme-${c.hostname}` : `up-${c.id}`} (${c.names.join(", ")}) left out: it expired on ${new Date(c.notAfter).toISOString()}`,
        );
      }
    for (const c of served.certificates) {
      const d = this.desiredCert(c);
      if (d) certificates.push(d);
    }
    if (this.o.acme) this.kick();
    return { certificates, redirectHttps: served.redirectHttps, hsts: served.hsts, ...api };
  }

  private desiredCert(c: StoredCertificate): DesiredCertificate | null {
    const cached = this.pemCache.get(c.id);
    if (cached?.fingerprint === c.fingerprint) return cached;
    let key: string;
    try {
      key = this.o.store.privateKey(c.id);
    } catch (e) {
      this.o.log(`certificate ${c.id} (${c.names.join(", ")}) left out: ${(e as Error).message}`);
      return null;
    }
    const name = c.source === "acme" ? `acme-${c.hostname}` : `up-${c.id}`;
    const d = { name, pem: `${c.chain}\n${key}\n`, fingerprint: c.fingerprint };
    this.pemCache.set(c.id, d);
    return d;
  }

  /** The certificates of an app's hostnames, what serves each, and the last attempt. */
  list(appName: string): CertsView {
    const app = this.requireApp(appName);
    const settings = this.o.store.settings(app);
    const hosts = this.routedHosts().filter((h) => h.app === app);
    return {
      app,
      https: this.o.https,
      acme: this.o.acme !== null,
      ...settings,
      hostnames: hosts.map((h) => this.viewOf(h, settings)),
      uploaded: this.o.store
        .all()
        .filter((c) => c.source === "uploaded" && c.app === app)
        .map((c) => ({
          id: c.id,
          names: c.names,
          issuer: c.issuer,
          notBefore: new Date(c.notBefore).toISOString(),
          notAfter: new Date(c.notAfter).toISOString(),
          fingerprint: c.fingerprint,
        })),
    };
  }

  /** Every hostname, the API's included (admins). */
  listAll(): ReturnType<Certificates["viewOf"]>[] {
    return this.routedHosts().map((h) =>
      this.viewOf(h, h.app ? this.o.store.settings(h.app) : { auto: true, redirectHttps: true, hstsMaxAge: null }),
    );
  }

  private viewOf(h: RoutedHost, settings: TlsSettings) {
    const now = this.now();
    const certs = this.o.store.all();
    const acme = certs.find((c) => c.source === "acme" && c.hostname === h.hostname) ?? null;
    const uploaded = uploadedFor(h.hostname, certs, now)[0] ?? null;
    return hostView({
      hostname: h.hostname,
      app: h.app,
      now,
      https: this.o.https,
      acmeOn: this.o.acme !== null,
      auto: settings.auto,
      ineligible: acmeIneligible(h.hostname),
      serving: uploaded && uploaded.names.includes(h.hostname) ? uploaded : (acme ?? uploaded),
      renewAt: acme ? renewAt(acme) : null,
      lastAttempt: this.o.store.attempts(h.hostname, 1)[0] ?? null,
      backoff: this.o.store.backoff(h.hostname),
      ordering: this.inFlight.has(h.hostname),
    });
  }

  attempts(appName: string, hostname?: string) {
    const app = this.requireApp(appName);
    const hosts = this.routedHosts()
      .filter((h) => h.app === app)
      .map((h) => h.hostname);
    const wanted = hostname === undefined ? hosts : hosts.filter((h) => h === validateHostname(hostname));
    return wanted
      .flatMap((h) => this.o.store.attempts(h))
      .sort((a, b) => b.startedAt - a.startedAt)
      .map((a) => ({
        hostname: a.hostname,
        kind: a.kind,
        startedAt: new Date(a.startedAt).toISOString(),
        finishedAt: a.finishedAt === null ? null : new Date(a.finishedAt).toISOString(),
        ok: a.ok,
        ordered: a.ordered,
        message: a.message,
      }));
  }

  /**
   * A certificate the team brings: it must parse, its key must match, it must
   * be valid now, name one of the app's hostnames (or its review apps', or
   * the review-app domain as a wildcard), and name no other app's hostname.
   */
  async upload(appName: string, certPem: unknown, keyPem: unknown): Promise<CertsView["uploaded"][number]> {
    const app = this.requireApp(appName);
    if (typeof certPem !== "string" || typeof keyPem !== "string" || certPem.length > 64_000 || keyPem.length > 16_000)
      throw new AppError("invalid_certificate", "send the certificate and the private key as PEM text");
    const facts = this.readUpload(certPem, keyPem);
    const now = this.now();
    if (facts.notAfter.getTime() <= now)
      throw new AppError("invalid_certificate", `the certificate expired on ${facts.notAfter.toISOString()}`);
    if (facts.notBefore.getTime() > now + 60_000)
      throw new AppError("invalid_certificate", `the certificate is not valid before ${facts.notBefore.toISOString()}`);
    this.checkNames(app, facts.names);
    const { keys } = splitPem(keyPem);
    const saved = this.o.store.save(
      {
        source: "uploaded",
        app,
        hostname: null,
        names: facts.names,
        chain: facts.chain.join("\n"),
        fingerprint: facts.fingerprint,
        issuer: facts.issuer,
        notBefore: facts.notBefore.getTime(),
        notAfter: facts.notAfter.getTime(),
      },
      keys[0],
      now,
    );
    await this.o.sync();
    return this.list(app).uploaded.find((u) => u.id === saved.id)!;
  }

  private readUpload(certPem: string, keyPem: string): CertificateFacts {
    let facts: CertificateFacts;
    try {
      facts = inspectChain(certPem);
    } catch (e) {
      throw new AppError("invalid_certificate", `the certificate is malformed: ${(e as Error).message}`);
    }
    let key;
    try {
      key = readPrivateKey(keyPem);
    } catch (e) {
      throw new AppError("invalid_certificate", `the private key is malformed: ${(e as Error).message}`);
    }
    if (!keyMatches(facts.chain[0], key))
      throw new AppError("invalid_certificate", "the private key does not match the certificate");
    if (facts.names.length === 0) throw new AppError("invalid_certificate", "the certificate names no DNS hostname");
    return facts;
  }

  private checkNames(app: string, names: string[]): void {
    const own = new Set([app, ...(this.o.reviewChildren?.(app) ?? [])]);
    const hosts = this.routedHosts();
    const mine = hosts.filter((h) => h.app !== null && own.has(h.app)).map((h) => h.hostname);
    const reviewDomain = `*.${defaultHostname(app, this.o.domain)}`;
    const covers = names.some((n) => n === reviewDomain || mine.some((h) => nameCovers(n, h)));
    if (!covers)
      throw new AppError(
        "invalid_certificate",
        `the certificate is for ${names.join(", ")}, none of which is a domain of ${app} (${mine.join(", ")})`,
        `Add the domain first (yk domains:add -a ${app} HOST), or upload a certificate for one of its domains.`,
      );
    for (const n of names) {
      const other = hosts.find((h) => h.hostname === n && !(h.app !== null && own.has(h.app)));
      if (other)
        throw new AppError(
          "invalid_certificate",
          `the certificate names ${n}, which is ${other.app ? `a domain of app ${other.app}` : "Yadokari's API hostname"}`,
          "Upload a certificate that names only this app's hostnames (wildcards may cover others).",
        );
    }
  }

  /** Removes the uploaded certificates that serve HOST (or, without one, its automatic certificate). */
  async remove(appName: string, hostname: unknown): Promise<{ removed: string[]; reissue: boolean }> {
    const app = this.requireApp(appName);
    const host = validateHostname(hostname);
    const certs = this.o.store.all();
    const uploaded = certs.filter(
      (c) => c.source === "uploaded" && c.app === app && c.names.some((n) => n === host || nameCovers(n, host)),
    );
    const isMine = this.routedHosts().some((h) => h.app === app && h.hostname === host);
    const acme = uploaded.length === 0 && isMine ? this.o.store.acmeFor(host) : null;
    const gone = acme ? [acme] : uploaded;
    if (gone.length === 0)
      throw new AppError(
        "not_found",
        `${app} has no certificate for ${host}`,
        `'yk certs -a ${app}' lists its certificates.`,
      );
    for (const c of gone) {
      this.o.store.remove(c.id);
      this.pemCache.delete(c.id);
    }
    await this.o.sync();
    return {
      removed: gone.map((c) => `${c.source} ${c.names.join(",")} (${c.fingerprint.slice(0, 16)})`),
      reissue: this.o.acme !== null && this.o.store.settings(app).auto,
    };
  }

  async updateSettings(appName: string, patch: Record<string, unknown>): Promise<TlsSettings> {
    const app = this.requireApp(appName);
    const cur = this.o.store.settings(app);
    const next = { ...cur };
    for (const [k, v] of Object.entries(patch)) {
      if (k === "auto" || k === "redirectHttps") {
        if (typeof v !== "boolean") throw new AppError("invalid_request", `${k} must be true or false`);
        next[k] = v;
      } else if (k === "hstsMaxAge") {
        if (v !== null && (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > MAX_HSTS_SEC))
          throw new AppError(
            "invalid_request",
            `hstsMaxAge must be a whole number of seconds from 0 to ${MAX_HSTS_SEC}, or null to send no HSTS header`,
          );
        next.hstsMaxAge = v;
      } else throw new AppError("invalid_request", `unknown TLS setting ${JSON.stringify(k)}`);
    }
    this.o.store.setSettings(app, next);
    if (next.auto && !cur.auto)
      for (const h of this.routedHosts()) if (h.app === app) this.o.store.clearBackoff(h.hostname);
    await this.o.sync();
    return next;
  }

  start(tickMs = 30_000): void {
    this.o.store.closeUnfinishedAttempts(this.now());
    if (!this.o.acme) return;
    this.interval = setInterval(() => this.tick(), tickMs);
    this.interval.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.interval) clearInterval(this.interval);
    if (this.kickTimer) clearTimeout(this.kickTimer);
  }

  /** A tick soon (coalesced): a new hostname gets its order within a moment. */
  kick(): void {
    if (this.kickTimer || this.stopped) return;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = null;
      this.tick();
    }, 100);
    this.kickTimer.unref();
  }

  /** Starts the orders that are due, most urgent first, up to the concurrency. */
  tick(): void {
    if (!this.o.acme || this.stopped || !this.o.https) return;
    const now = this.now();
    const hosts = this.routedHosts();
    const certs = this.o.store.all();
    // Automatic certificates of hostnames no app routes any more.
    const routed = new Set(hosts.map((h) => h.hostname));
    for (const c of certs)
      if (c.source === "acme" && c.hostname && !routed.has(c.hostname) && !this.inFlight.has(c.hostname)) {
        this.o.store.remove(c.id);
        this.pemCache.delete(c.id);
      }
    const settings = this.o.store.allSettings();
    const work = dueWork(
      hosts,
      certs,
      (app) => (settings.get(app) ?? { auto: true }).auto,
      this.o.store.allBackoff(),
      now,
    ).filter((w) => !this.inFlight.has(w.hostname));
    const free = (this.o.concurrency ?? 3) - this.inFlight.size;
    for (const w of work.slice(0, Math.max(0, free))) {
      this.inFlight.add(w.hostname);
      void this.order(w).finally(() => {
        this.inFlight.delete(w.hostname);
        this.kick(); // the next one, if any
      });
    }
  }

  /** One attempt for one hostname; never throws (the result is recorded). */
  private async order(w: AcmeWork): Promise<void> {
    const host = w.hostname;
    const attempt = this.o.store.startAttempt(host, w.kind, this.now());
    let ordered = false;
    try {
      await selfCheck(host, this.o.httpPort, this.answer);
      ordered = true;
      const { chain, key } = await this.o.acme!.order(host, this.answer);
      const facts = inspectChain(chain);
      if (!keyMatches(facts.chain[0], readPrivateKey(key)))
        throw new Error("the CA returned a certificate for another key");
      if (!facts.names.includes(host)) throw new Error(`the CA returned a certificate for ${facts.names.join(", ")}`);
      this.o.store.save(
        {
          source: "acme",
          app: null,
          hostname: host,
          names: facts.names,
          chain: facts.chain.join("\n"),
          fingerprint: facts.fingerprint,
          issuer: facts.issuer,
          notBefore: facts.notBefore.getTime(),
          notAfter: facts.notAfter.getTime(),
        },
        splitPem(key).keys[0],
        this.now(),
      );
      this.o.store.clearBackoff(host);
      this.o.store.finishAttempt(
        attempt,
        {
          ok: true,
          ordered,
          message: `${w.kind === "renew" ? "renewed" : "issued"} by ${facts.issuer}, valid until ${facts.notAfter.toISOString()}`,
        },
        this.now(),
      );
      this.o.log(
        `certificate for ${host} ${w.kind === "renew" ? "renewed" : "issued"} (until ${facts.notAfter.toISOString()})`,
      );
      await this.o.sync();
    } catch (e) {
      const failures = (this.o.store.backoff(host)?.failures ?? 0) + 1;
      const nextAt = this.now() + backoffDelay(failures, this.backoff);
      this.o.store.setBackoff(host, failures, nextAt);
      const message = (e as Error).message;
      this.o.store.finishAttempt(attempt, { ok: false, ordered, message }, this.now());
      this.o.log(
        `certificate for ${host}: ${message} (attempt ${failures} in a row; next at ${new Date(nextAt).toISOString()})`,
      );
    }
  }

  private requireChallenges(): (token: string, value: string | null) => Promise<void> {
    const set = this.o.router.setAcmeChallenge?.bind(this.o.router);
    if (!set) throw new Error("the router cannot answer ACME challenges");
    return set;
  }

  private requireApp(name: string): string {
    const app = this.o.apps.getApp(name);
    if (!app) throw new AppError("not_found", `no app named ${name}`);
    return app.name;
  }
}
