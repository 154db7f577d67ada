/** OpenAPI paths of certificates and TLS settings (merged into src/api/openapi.ts). */
const json = (schema: object) => ({ content: { "application/json": { schema } } });
const ok = (schema: object, code = "200") => ({ [code]: { description: "OK", ...json(schema) } });
const errors = { default: { description: "Error", ...json({ $ref: "#/components/schemas/Error" }) } };
const appParam = {
  name: "app",
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^[a-z][a-z0-9-]{0,29}$" },
};
const iso = { type: "string", format: "date-time" };
const nullable = (schema: object) => ({ anyOf: [schema, { type: "null" }] });

const certificate = {
  type: "object",
  properties: {
    source: { enum: ["acme", "uploaded"] },
    issuer: { type: "string" },
    names: { type: "array", items: { type: "string" } },
    notBefore: iso,
    notAfter: iso,
    fingerprint: { type: "string", description: "SHA-1 of the leaf, hex" },
  },
};
const hostView = {
  type: "object",
  properties: {
    hostname: { type: "string" },
    app: { type: ["string", "null"] },
    status: {
      enum: ["issued", "uploaded", "ordering", "pending", "failing", "disabled", "no-acme", "ineligible", "https-off"],
    },
    certificate: nullable(certificate),
    renewAt: nullable(iso),
    lastAttempt: nullable({
      type: "object",
      properties: {
        at: iso,
        ok: { type: ["boolean", "null"] },
        ordered: { type: "boolean" },
        message: { type: "string" },
      },
    }),
    nextAttemptAt: nullable(iso),
    note: { type: ["string", "null"] },
  },
};
const uploaded = {
  type: "object",
  properties: {
    id: { type: "integer" },
    names: { type: "array", items: { type: "string" } },
    issuer: { type: "string" },
    notBefore: iso,
    notAfter: iso,
    fingerprint: { type: "string" },
  },
};
const tlsSettings = {
  type: "object",
  properties: {
    auto: { type: "boolean", description: "automatic (ACME) certificates for the app's hostnames; default true" },
    redirectHttps: {
      type: "boolean",
      description: "308 from HTTP to HTTPS for hostnames with a certificate; default true",
    },
    hstsMaxAge: {
      type: ["integer", "null"],
      minimum: 0,
      maximum: 63072000,
      description: "HSTS max-age; null: no header",
    },
  },
};

export const certPaths: Record<string, Record<string, any>> = {
  "/api/v1/apps/{app}/certs": {
    parameters: [appParam],
    get: {
      summary:
        "The app's hostnames with the certificate serving each, its status and last attempt, and its uploaded certificates",
      responses: {
        ...ok({
          type: "object",
          properties: {
            app: { type: "string" },
            https: { type: "boolean" },
            acme: { type: "boolean" },
            ...tlsSettings.properties,
            hostnames: { type: "array", items: hostView },
            uploaded: { type: "array", items: uploaded },
          },
        }),
        ...errors,
      },
    },
    post: {
      summary:
        "Upload a certificate (PEM, chain included; wildcards allowed) and its unencrypted private key; validated (parses, key matches, valid now, names a domain of the app and none of another app), the key sealed at rest",
      requestBody: json({
        type: "object",
        required: ["certificate", "privateKey"],
        properties: { certificate: { type: "string" }, privateKey: { type: "string" } },
      }),
      responses: { ...ok(uploaded, "201"), ...errors },
    },
  },
  "/api/v1/apps/{app}/certs/{hostname}": {
    parameters: [appParam, { name: "hostname", in: "path", required: true, schema: { type: "string" } }],
    delete: {
      summary:
        "Remove the uploaded certificates serving HOSTNAME (or, without one, its automatic certificate, which is ordered again while automatic certificates are on)",
      responses: {
        ...ok({
          type: "object",
          properties: { removed: { type: "array", items: { type: "string" } }, reissue: { type: "boolean" } },
        }),
        ...errors,
      },
    },
  },
  "/api/v1/apps/{app}/certs/attempts": {
    parameters: [appParam, { name: "hostname", in: "query", schema: { type: "string" } }],
    get: {
      summary: "Every kept ACME attempt (the last 50 per hostname), newest first",
      responses: {
        ...ok({
          type: "array",
          items: {
            type: "object",
            properties: {
              hostname: { type: "string" },
              kind: { enum: ["issue", "renew"] },
              startedAt: iso,
              finishedAt: nullable(iso),
              ok: { type: ["boolean", "null"] },
              ordered: { type: "boolean", description: "whether an order reached the CA" },
              message: { type: "string" },
            },
          },
        }),
        ...errors,
      },
    },
  },
  "/api/v1/apps/{app}/tls": {
    parameters: [appParam],
    patch: {
      summary: "Change the app's TLS settings: automatic certificates, redirect to HTTPS, HSTS",
      requestBody: json(tlsSettings),
      responses: { ...ok(tlsSettings), ...errors },
    },
  },
  "/api/v1/certs": {
    get: {
      summary: "Every routed hostname's certificate, Yadokari's API hostname included (admins)",
      responses: { ...ok({ type: "array", items: hostView }), ...errors },
    },
  },
};
