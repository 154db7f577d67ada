import { AppError } from "../errors/app-error.js";
import { validateHostname } from "../domain/names.js";
import { parseListen } from "../lib/listen.js";
import type { DesiredApiRoute } from "../router/types.js";
import { AcmeIssuer, newAccountKey, resolveDirectory } from "./acme.js";
import type { CertStore } from "./cert-store.js";
import type { BackoffPolicy } from "./policy.js";

/**
 * The server's HTTPS settings, read from its flags (--https-listen,
 * --acme-directory, --acme-email, --acme-ca-file, --api-hostname) and a few
 * environment variables that tests and benchmarks use to shorten waits.
 */
export interface TlsServerOptions {
  httpsListen?: string;
  acmeDirectory?: string;
  acmeEmail?: string;
  acmeCaFile?: string;
  apiHostname?: string;
}

export interface TlsSetup {
  /** null: --https-listen off. */
  httpsListen: string | null;
  api?: DesiredApiRoute;
  backoff: BackoffPolicy;
  tickMs: number;
  acme(store: CertStore, log: (m: string) => void): AcmeIssuer | null;
}

const num = (v: string | undefined, fallback: number) => {
  const n = Number(v);
  return v !== undefined && Number.isFinite(n) && n > 0 ? n : fallback;
};

export function tlsFromOptions(
  opts: TlsServerOptions,
  api: { host: string; port: number },
  env: NodeJS.ProcessEnv = process.env,
): TlsSetup {
  const raw = (opts.httpsListen ?? "0.0.0.0:443").trim();
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
        "invalid_request",
        `--api-hostname needs --api-listen on an IPv4 address the router can reach (it is ${api.host})`,
        "Use --api-listen 127.0.0.1:7700 (the router runs on the same machine).",
      );
    apiRoute = { hostname, address, port: api.port };
  }
  const directory = resolveDirectory(opts.acmeDirectory, opts.acmeEmail);
  if (directory && !httpsListen)
    throw new AppError(
      "invalid_request",
      "--acme-directory or --acme-email was given with --https-listen off",
      "Automatic certificates need the HTTPS listener: drop --https-listen off, or the ACME flags.",
    );
  return {
    httpsListen,
    api: apiRoute,
    backoff: {
      baseMs: num(env.YADOKARI_ACME_BACKOFF_MS, 60_000),
      maxMs: num(env.YADOKARI_ACME_BACKOFF_MAX_MS, 6 * 3600_000),
    },
    tickMs: num(env.YADOKARI_ACME_TICK_MS, 30_000),
    acme: (store, log) =>
      directory
        ? new AcmeIssuer(
            {
              directoryUrl: directory,
              email: opts.acmeEmail || undefined,
              caFile: opts.acmeCaFile || undefined,
              pollMinMs: num(env.YADOKARI_ACME_POLL_MS, 1000),
              pollMaxMs: num(env.YADOKARI_ACME_POLL_MAX_MS, 10_000),
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
