import { z } from "@hono/zod-openapi";
import { MAX_HSTS_SEC } from "../../router/validate.js";
import { Timestamp } from "./ids.js";

/** Certificates, ACME attempts and each app's TLS settings (src/certs). */

const CertificateView = z
  .strictObject({
    source: z.enum(["acme", "uploaded"]),
    issuer: z.string(),
    names: z.array(z.string()),
    notBefore: Timestamp,
    notAfter: Timestamp,
    fingerprint: z.string().openapi({ description: "SHA-1 of the leaf, hex" }),
  })
  .openapi("Certificate");

export const CertHostView = z
  .strictObject({
    hostname: z.string(),
    app: z.string().nullable().openapi({ description: "null: Yadokari's own API hostname" }),
    status: z
      .enum(["issued", "uploaded", "ordering", "pending", "failing", "disabled", "no-acme", "ineligible", "https-off"])
      .openapi({
        description:
          "issued / uploaded: served; ordering: an order is in flight; pending: due, waiting its turn; failing: the last attempt failed, retried at nextAttemptAt; disabled: automatic certificates are off for the app; no-acme: the server has no ACME directory; ineligible: a name no public CA signs; https-off: the server runs without an HTTPS listener",
      }),
    certificate: CertificateView.nullable().openapi({ description: "the certificate serving the hostname" }),
    renewAt: Timestamp.nullable().openapi({ description: "ACME certificates: when the renewal is due" }),
    lastAttempt: z
      .strictObject({ at: Timestamp, ok: z.boolean().nullable(), ordered: z.boolean(), message: z.string() })
      .nullable(),
    nextAttemptAt: Timestamp.nullable(),
    note: z.string().nullable().openapi({ description: "why the status is what it is, when that needs saying" }),
  })
  .openapi("CertHost");

export const UploadedCertView = z
  .strictObject({
    id: z.int(),
    names: z.array(z.string()),
    issuer: z.string(),
    notBefore: Timestamp,
    notAfter: Timestamp,
    fingerprint: z.string(),
  })
  .openapi("UploadedCertificate");

const tlsFields = {
  auto: z.boolean().openapi({ description: "automatic (ACME) certificates for the app's hostnames; default true" }),
  redirectHttps: z
    .boolean()
    .openapi({ description: "308 from HTTP to HTTPS for hostnames with a certificate; default true" }),
  hstsMaxAge: z
    .int()
    .min(0)
    .max(MAX_HSTS_SEC)
    .nullable()
    .openapi({ description: `HSTS max-age in seconds (at most ${MAX_HSTS_SEC}); null: no header` }),
};

export const TlsSettingsView = z.strictObject(tlsFields).openapi("TlsSettings");
export const TlsSettingsChange = z
  .strictObject({
    auto: tlsFields.auto.optional(),
    redirectHttps: tlsFields.redirectHttps.optional(),
    hstsMaxAge: tlsFields.hstsMaxAge.optional(),
  })
  .openapi("TlsSettingsChange");

export const CertsView = z
  .strictObject({
    app: z.string(),
    https: z.boolean().openapi({ description: "false: the server runs with --https-listen off" }),
    acme: z.boolean().openapi({ description: "the server has an ACME directory (automatic certificates)" }),
    ...tlsFields,
    hostnames: z.array(CertHostView),
    uploaded: z.array(UploadedCertView),
  })
  .openapi("Certs");

export const CertUpload = z
  .strictObject({
    certificate: z.string().openapi({ description: "PEM: the leaf first, then its chain; at most 64,000 characters" }),
    privateKey: z.string().openapi({ description: "PEM, unencrypted; at most 16,000 characters; sealed at rest" }),
  })
  .openapi("CertUpload");

export const CertAttemptView = z
  .strictObject({
    hostname: z.string(),
    kind: z.enum(["issue", "renew"]),
    startedAt: Timestamp,
    finishedAt: Timestamp.nullable(),
    ok: z.boolean().nullable().openapi({ description: "null: still running" }),
    ordered: z.boolean().openapi({ description: "whether an order reached the CA" }),
    message: z.string(),
  })
  .openapi("CertAttempt");
