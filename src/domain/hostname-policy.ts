import { AppError } from "../errors/app-error.js";

/** What decides whose a hostname may be. */
export interface HostnameScope {
  /** the app adding the hostname */
  app: string;
  /** its parent when it is a review app: review hosts are <slug>.<parent>.<domain> */
  parent: string | null;
  /** the platform's domain: apps are <app>.<domain> */
  domain: string;
  /** hostnames the server itself answers to (the API's, from YADOKARI_PUBLIC_URL or --api-listen) */
  reserved: readonly string[];
}

/**
 * Whether an app may add a (valid, lower-case) hostname as a custom domain.
 * Under the platform's domain, a name belongs to the app whose name it
 * carries (`x.web.DOMAIN` is web's, and its review apps'), created or not,
 * so no app takes another's future default or review host. localhost, IP
 * literals (a numeric last label) and the server's own hostnames are never
 * an app's. Pure; whether another app already has the name is the store's
 * business.
 */
export function checkHostnameScope(h: string, scope: HostnameScope): void {
  const invalid = (why: string) => new AppError("invalid_domain", `${h} cannot be a custom domain: ${why}`);
  const last = h.split(".").at(-1) ?? "";
  if (/^[0-9]+$/.test(last)) throw invalid("it is an IP address or a numeric name, not a DNS name");
  if (h === scope.domain) throw invalid("it is the platform's own domain");
  if (scope.reserved.includes(h)) throw invalid("the server itself (the API) answers to it");
  const underPlatform = h.endsWith(`.${scope.domain}`);
  if (!underPlatform && (h === "localhost" || h.endsWith(".localhost")))
    throw invalid("localhost names the machine itself");
  if (!underPlatform) return;
  const labels = h.slice(0, -(scope.domain.length + 1)).split(".");
  const owner = labels[labels.length - 1];
  if (owner === scope.app || (scope.parent !== null && owner === scope.parent)) return;
  throw new AppError(
    "domain_taken",
    `${h} is under ${owner}.${scope.domain}, which belongs to the app named ${owner}: hostnames under ${scope.domain} belong to the app whose name they carry`,
    `Use a hostname under ${scope.app}.${scope.domain}, or a domain of your own.`,
  );
}

/** The host part of a URL or a listen address, lower case, or null. */
export function hostOf(urlOrListen: string | undefined): string | null {
  if (!urlOrListen) return null;
  try {
    return new URL(urlOrListen.includes("://") ? urlOrListen : `http://${urlOrListen}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}
