import https from "node:https";
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import * as acme from "acme-client";
import { AppError } from "../errors/app-error.js";

/**
 * Orders one certificate for one hostname with HTTP-01, through acme-client
 * (RFC 8555, tested by its authors against Pebble and Let's Encrypt). The
 * challenge answer is handed to whoever serves it (the router); the caller
 * has already checked that the hostname reaches this router.
 */

export interface AcmeSettings {
  directoryUrl: string;
  email?: string;
  /** PEM file of a CA to trust for the ACME server's own HTTPS (a private or test CA). */
  caFile?: string;
  /** acme-client's status polling: first delay and cap (ms). */
  pollMinMs?: number;
  pollMaxMs?: number;
  /** One order, start to certificate. */
  orderTimeoutMs?: number;
}

export interface ChallengeAnswer {
  set(token: string, keyAuthorization: string): Promise<void>;
  clear(token: string): Promise<void>;
}

/** Let's Encrypt's directories; "--acme-directory staging" picks the staging one by name. */
export const LETS_ENCRYPT = acme.directory.letsencrypt;

/**
 * The directory from the server's flags: a URL, or "production"/"staging"
 * (Let's Encrypt's), or Let's Encrypt's production directory when only an
 * email is given. Null: no automatic certificates.
 */
export function resolveDirectory(directory: string | undefined, email: string | undefined): string | null {
  const d = directory?.trim();
  if (!d) return email ? LETS_ENCRYPT.production : null;
  if (d === "production" || d === "letsencrypt") return LETS_ENCRYPT.production;
  if (d === "staging" || d === "letsencrypt-staging") return LETS_ENCRYPT.staging;
  let url: URL;
  try {
    url = new URL(d);
  } catch {
    throw new AppError(
      "invalid_request",
      `--acme-directory ${JSON.stringify(d)}: expected an https:// URL, "production" or "staging"`,
      "Let's Encrypt: --acme-email you@example.com alone; its staging CA: --acme-directory staging.",
    );
  }
  if (url.protocol !== "https:")
    throw new AppError("invalid_request", `--acme-directory ${d}: an ACME directory is served over https://`);
  return url.toString();
}

export class AcmeIssuer {
  private client: acme.Client | null = null;

  constructor(
    private readonly settings: AcmeSettings,
    /** The account key (PEM), created on first use and kept sealed in the store. */
    private readonly accountKey: () => Promise<string>,
    private readonly log: (m: string) => void,
  ) {
    if (settings.caFile) {
      // acme-client sends every request through its one axios instance.
      let extra: string;
      try {
        extra = readFileSync(settings.caFile, "utf8");
      } catch (e) {
        throw new AppError(
          "invalid_request",
          `--acme-ca-file ${settings.caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
          "Pass the PEM file of the CA that signed the ACME server's HTTPS certificate.",
        );
      }
      acme.axios.defaults.httpsAgent = new https.Agent({ ca: [...rootCertificates, extra], keepAlive: true });
    }
  }

  /** Places an order for `hostname` and returns its certificate chain and private key (PEM). */
  async order(hostname: string, answer: ChallengeAnswer): Promise<{ chain: string; key: string }> {
    const client = await this.ensureClient();
    const key = (await acme.crypto.createPrivateEcdsaKey("P-256")).toString();
    const [, csr] = await acme.crypto.createCsr({ commonName: hostname, altNames: [hostname] }, key);
    const timeoutMs = this.settings.orderTimeoutMs ?? 180_000;
    let timer: NodeJS.Timeout | undefined;
    const chain = await Promise.race([
      client.auto({
        csr,
        email: this.settings.email,
        termsOfServiceAgreed: true,
        challengePriority: ["http-01"],
        // Yadokari checked the hostname itself before ordering (see self-check.ts).
        skipChallengeVerification: true,
        challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
          if (challenge.type !== "http-01") throw new Error(`unexpected challenge type ${challenge.type}`);
          await answer.set(challenge.token, keyAuthorization);
        },
        challengeRemoveFn: async (_authz, challenge) => {
          await answer.clear(challenge.token);
        },
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the CA did not issue within ${Math.round(timeoutMs / 1000)} s`)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    this.log(`acme: certificate issued for ${hostname}`);
    return { chain, key };
  }

  private async ensureClient(): Promise<acme.Client> {
    if (!this.client) {
      this.client = new acme.Client({
        directoryUrl: this.settings.directoryUrl,
        accountKey: await this.accountKey(),
        backoffMin: this.settings.pollMinMs ?? 1000,
        backoffMax: this.settings.pollMaxMs ?? 10_000,
        backoffAttempts: 12,
      });
    }
    return this.client;
  }
}

export const newAccountKey = async (): Promise<string> => (await acme.crypto.createPrivateEcdsaKey("P-256")).toString();
