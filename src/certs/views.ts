import type { CertAttempt, StoredCertificate } from "./cert-store.js";

/** What `GET /api/v1/apps/:app/certs` returns (and `yk certs` prints). */
export interface CertHostView {
  hostname: string;
  app: string | null;
  /**
   * issued / uploaded: served; ordering: an order is in flight; pending: due,
   * waiting its turn; failing: the last attempt failed, retried at
   * nextAttemptAt; disabled: automatic certificates are off for the app;
   * no-acme: the server has no ACME directory; ineligible: a name no public CA
   * signs; https-off: the server runs without an HTTPS listener.
   */
  status:
    "issued" | "uploaded" | "ordering" | "pending" | "failing" | "disabled" | "no-acme" | "ineligible" | "https-off";
  certificate: {
    source: "acme" | "uploaded";
    issuer: string;
    names: string[];
    notBefore: string;
    notAfter: string;
    fingerprint: string;
  } | null;
  /** ACME certificates: when the renewal is due (a third of the lifetime left, with jitter). */
  renewAt: string | null;
  lastAttempt: { at: string; ok: boolean | null; ordered: boolean; message: string } | null;
  nextAttemptAt: string | null;
  /** Why the status is what it is, when that needs saying. */
  note: string | null;
}

export interface CertsView {
  app: string;
  https: boolean;
  acme: boolean;
  auto: boolean;
  redirectHttps: boolean;
  hstsMaxAge: number | null;
  hostnames: CertHostView[];
  uploaded: { id: number; names: string[]; issuer: string; notBefore: string; notAfter: string; fingerprint: string }[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function hostView(i: {
  hostname: string;
  app: string | null;
  now: number;
  https: boolean;
  acmeOn: boolean;
  auto: boolean;
  ineligible: string | null;
  serving: StoredCertificate | null;
  renewAt: number | null;
  lastAttempt: CertAttempt | null;
  backoff: { failures: number; nextAt: number } | null;
  ordering: boolean;
}): CertHostView {
  const c = i.serving;
  const certificate = c
    ? {
        source: c.source,
        issuer: c.issuer,
        names: c.names,
        notBefore: iso(c.notBefore),
        notAfter: iso(c.notAfter),
        fingerprint: c.fingerprint,
      }
    : null;
  const failing = i.backoff !== null && i.backoff.nextAt > i.now;
  let status: CertHostView["status"];
  let note: string | null = null;
  if (!i.https) status = "https-off";
  else if (i.ordering) status = "ordering";
  else if (c && c.notAfter > i.now && !failing) status = c.source === "acme" ? "issued" : "uploaded";
  else if (c?.source === "uploaded") status = "uploaded";
  else if (!i.acmeOn) {
    status = "no-acme";
    note = "start the server with --acme-email (Let's Encrypt) or --acme-directory for automatic certificates";
  } else if (!i.auto) status = "disabled";
  else if (i.ineligible) {
    status = "ineligible";
    note = i.ineligible;
  } else if (failing) status = "failing";
  else status = c && c.notAfter > i.now ? "issued" : "pending";
  if (status === "failing" && i.lastAttempt) note = i.lastAttempt.message;
  return {
    hostname: i.hostname,
    app: i.app,
    status,
    certificate,
    renewAt: i.renewAt === null ? null : iso(i.renewAt),
    lastAttempt: i.lastAttempt
      ? {
          at: iso(i.lastAttempt.startedAt),
          ok: i.lastAttempt.ok,
          ordered: i.lastAttempt.ordered,
          message: i.lastAttempt.message,
        }
      : null,
    nextAttemptAt: failing ? iso(i.backoff!.nextAt) : null,
    note,
  };
}
