import { z } from "@hono/zod-openapi";
import { access } from "../../accounts/policy.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { LIMITS } from "../body-limit.js";
import { defineRoute } from "../route.js";
import { json, jsonBody } from "../schemas/common.js";
import { AppName, Hostname } from "../schemas/ids.js";
import {
  CertAttemptView,
  CertHostView,
  CertsView,
  CertUpload,
  TlsSettingsChange,
  TlsSettingsView,
  UploadedCertView,
} from "../schemas/certs.js";

const AppParams = z.strictObject({ app: AppName });

const listCerts = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/certs",
  summary:
    "The app's hostnames with the certificate serving each, its status and last attempt, its TLS settings and its uploaded certificates",
  access: access.app("viewer"),
  request: { params: AppParams },
  responses: { 200: json(CertsView) },
});

const uploadCert = defineRoute({
  method: "post",
  path: "/api/v1/apps/{app}/certs",
  summary:
    "Upload a certificate (PEM, chain included; wildcards allowed) and its unencrypted private key; validated (parses, key matches, valid now, names a domain of the app and none of another app), the key sealed at rest",
  access: access.app("deployer"),
  bodyLimit: LIMITS.certificate,
  request: { params: AppParams, body: jsonBody(CertUpload) },
  responses: { 201: json(UploadedCertView, "Created: the router serves it") },
});

const removeCert = defineRoute({
  method: "delete",
  path: "/api/v1/apps/{app}/certs/{hostname}",
  summary:
    "Remove the uploaded certificates serving HOSTNAME (or, without one, its automatic certificate, which is ordered again while automatic certificates are on)",
  access: access.app("deployer"),
  request: { params: z.strictObject({ app: AppName, hostname: Hostname }) },
  responses: {
    200: json(
      z.strictObject({
        removed: z.array(z.string()).openapi({ description: "each removed certificate: source, names, fingerprint" }),
        reissue: z.boolean().openapi({ description: "an automatic certificate will be ordered again" }),
      }),
    ),
  },
});

const certAttempts = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/certs/attempts",
  summary: "Every kept ACME attempt of the app's hostnames (the last 50 per hostname), newest first",
  access: access.app("viewer"),
  request: {
    params: AppParams,
    query: z.strictObject({ hostname: Hostname.optional().openapi({ description: "only this hostname's" }) }),
  },
  responses: { 200: json(z.array(CertAttemptView)) },
});

const changeTls = defineRoute({
  method: "patch",
  path: "/api/v1/apps/{app}/tls",
  summary: "Change the app's TLS settings: automatic certificates, redirect to HTTPS, HSTS",
  access: access.app("deployer"),
  request: { params: AppParams, body: jsonBody(TlsSettingsChange) },
  responses: { 200: json(TlsSettingsView) },
});

const allCerts = defineRoute({
  method: "get",
  path: "/api/v1/certs",
  summary: "Every routed hostname's certificate, Yadokari's API hostname included",
  access: access.admin(),
  responses: { 200: json(z.array(CertHostView)) },
});

/** HTTPS: certificates (uploaded and automatic) and TLS settings per app; every hostname's for admins. */
export function registerCerts(r: ApiRouter, s: ApiServices): void {
  r.openapi(listCerts, (c) => c.json(s.certs.list(c.req.valid("param").app), 200));
  r.openapi(uploadCert, async (c) => {
    const { certificate, privateKey } = c.req.valid("json");
    return c.json(await s.certs.upload(c.req.valid("param").app, certificate, privateKey), 201);
  });
  r.openapi(removeCert, async (c) => {
    const { app, hostname } = c.req.valid("param");
    return c.json(await s.certs.remove(app, hostname), 200);
  });
  r.openapi(certAttempts, (c) =>
    c.json(s.certs.attempts(c.req.valid("param").app, c.req.valid("query").hostname), 200),
  );
  r.openapi(changeTls, async (c) =>
    c.json(await s.certs.updateSettings(c.req.valid("param").app, c.req.valid("json")), 200),
  );
  r.openapi(allCerts, (c) => c.json(s.certs.listAll(), 200));
}
