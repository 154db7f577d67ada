import { AppError } from "../errors/app-error.js";
import { validateHostname } from "../domain/names.js";
import { parseListen } from "../lib/listen.js";
import type { DesiredApiRoute } from "../router/types.js";
import { AcmeIssuer, newAccountKey, resolveDirectory } from "./acme.js";
import type { CertStore } from "./cert-store.js";
import type { BackoffPolicy } from "./policy.js";

/**
 * The server's HTTPS settings, as src/main/settings.ts read and checked them
 * (--https-listen, --acme-directory, --acme-email, --acme-ca-file,
 * --api-hostname, and the ACME waits such as YADOKARI_ACME_TICK_MS that
 * tests and benchmarks shorten). Here they are combined: the checks that take two settings, and
 * the issuer they make.
 */
export interface TlsServerOptions {
  /** host:port, or "off" */
  httpsListen: string;
  /** "" (none), "production", "staging", or an https:// URL */
  acmeDirectory: string;
  acmeEmail: string;
  acmeCaFile: string;
  apiHostname: string;
  acmeTickMs: number;
  acmeBackoffMs: number;
  acmeBackoffMaxMs: number;
  acmePollMs: number;
  acmePollMaxMs: number;
}

export interface TlsSetup {
  /** null: --https-listen off. */
  httpsListen: string | null;
  api?: DesiredApiRoute;
  backoff: BackoffPolicy;
  tickMs: number;
  acme(store: CertStore, log: (m: string) => void): AcmeIssuer | null;
}

export function tlsFromOptions(opts: TlsServerOptions, api: { host: string; port: number }): TlsSetup {
  const raw = opts.httpsListen.trim();
  let httpsListen: string | null = null;
  if (raw !== "off") {
    const l = parseListen(raw, "--https-listen");
    httpsListen = `${l.host}:${l.port}`;
  }
  let apiRoute: DesiredApiRoute | undefined;
  if (opts.apiHostname) {
    const hostname = validateHostname(opts.apiHostname);
    const address = api.host === "0.0.0.0" || api.host === "localhost" ? "127.0.0.1" : api.host;
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address))
      throw new AppError(
        "invalid_setting",
        `--api-hostname needs --api-listen on an IPv4 address the router can reach (it is ${api.host})`,
        "Use --api-listen 127.0.0.1:7700 (the router runs on the same machine).",
      );
    apiRoute = { hostname, address, port: api.port };
  }
  const directory = resolveDirectory(opts.acmeDirectory, opts.acmeEmail);
  if (directory && !httpsListen)
    throw new AppError(
      "invalid_setting",
      "--acme-directory or --acme-email was given with --https-listen off",
      "Automatic certificates need the HTTPS listener: drop --https-listen off, or the ACME flags.",
    );
  return {
    httpsListen,
    api: apiRoute,
    backoff: { baseMs: opts.acmeBackoffMs, maxMs: opts.acmeBackoffMaxMs },
    tickMs: opts.acmeTickMs,
    acme: (store, log) =>
      directory
        ? new AcmeIssuer(
            {
              directoryUrl: directory,
              email: opts.acmeEmail || undefined,
              caFile: opts.acmeCaFile || undefined,
              pollMinMs: opts.acmePollMs,
              pollMaxMs: opts.acmePollMaxMs,
            },
            async () => {
              const fresh = await newAccountKey();
              return store.accountKey(directory, () => fresh);
            },
            log,
          )
        : null,
  };
}
