import { AppError } from "../errors/app-error.js";
import type { DesiredRouter } from "./types.js";

/**
 * Checks a DesiredRouter before anything is rendered from it. Every value ends
 * up in an HAProxy config line or a runtime API command, where a space, a
 * quote, a '#' or a ';' would change its meaning, so names are held to a
 * small alphabet. Errors carry the path of the bad value.
 */

/** Backends whose name starts with this belong to the router itself. */
export const RESERVED_PREFIX = "yadokari_";

const NAME = /^[a-zA-Z0-9_.-]{1,100}$/;
const HOST_LABEL = /^[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function invalid(path: string, message: string): AppError {
  return new AppError(
    "router_failed",
    `router: ${path}: ${message}`,
    "This value comes from the store; fix the record it was derived from. The running router was not changed.",
  );
}

export function isValidName(name: string): boolean {
  return NAME.test(name);
}

export function isValidHost(host: string): boolean {
  return host.length <= 253 && host.split(".").every((l) => HOST_LABEL.test(l));
}

export function validateDesired(desired: DesiredRouter): void {
  const backends = new Set<string>();
  desired.backends.forEach((b, i) => {
    const at = `backends[${i}]`;
    if (!isValidName(b.name))
      throw invalid(`${at}.name`, `"${b.name}" must be 1 to 100 characters of a-z, A-Z, 0-9, '_', '.', '-'`);
    if (b.name.startsWith(RESERVED_PREFIX))
      throw invalid(
        `${at}.name`,
        `"${b.name}" starts with "${RESERVED_PREFIX}", which is reserved for the router's own backends`,
      );
    if (backends.has(b.name)) throw invalid(`${at}.name`, `backend "${b.name}" appears twice`);
    backends.add(b.name);
    if (b.sticky && !/^[A-Za-z0-9]{8,64}$/.test(b.sticky.key))
      throw invalid(`${at}.sticky.key`, "must be 8 to 64 letters and digits");
    const servers = new Set<string>();
    b.servers.forEach((s, j) => {
      const sat = `${at}.servers[${j}]`;
      if (!isValidName(s.name))
        throw invalid(`${sat}.name`, `"${s.name}" must be 1 to 100 characters of a-z, A-Z, 0-9, '_', '.', '-'`);
      if (servers.has(s.name)) throw invalid(`${sat}.name`, `server "${s.name}" appears twice in backend "${b.name}"`);
      servers.add(s.name);
      if (!IPV4.test(s.address)) throw invalid(`${sat}.address`, `"${s.address}" must be an IPv4 address`);
      if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535)
        throw invalid(`${sat}.port`, `${s.port} must be an integer from 1 to 65535`);
      if (!Number.isInteger(s.weight) || s.weight < 0 || s.weight > 256)
        throw invalid(`${sat}.weight`, `${s.weight} must be an integer from 0 to 256`);
      if (s.state !== "ready" && s.state !== "drain")
        throw invalid(`${sat}.state`, `"${String(s.state)}" must be "ready" or "drain"`);
    });
  });
  if (desired.api) {
    const a = desired.api;
    if (!isValidHost(a.hostname)) throw invalid("api.hostname", `"${a.hostname}" must be a lowercase hostname`);
    if (Object.hasOwn(desired.hosts, a.hostname))
      throw invalid("api.hostname", `"${a.hostname}" is also an app's hostname`);
    if (!IPV4.test(a.address)) throw invalid("api.address", `"${a.address}" must be an IPv4 address`);
    if (!Number.isInteger(a.port) || a.port < 1 || a.port > 65535)
      throw invalid("api.port", `${a.port} must be an integer from 1 to 65535`);
  }
  validateTls(desired);
  for (const [host, backend] of Object.entries(desired.hosts)) {
    if (!isValidHost(host))
      throw invalid(
        `hosts["${host}"]`,
        "must be a lowercase hostname (labels of a-z, 0-9, '-', '_' separated by dots, no port)",
      );
    if (!backends.has(backend))
      throw invalid(`hosts["${host}"]`, `points to backend "${backend}", which is not in backends`);
  }
}

/** Router settings that are pasted into the config: paths, listen address, numbers. */
const TOKEN = {
  count: { re: /^[1-9]\d{0,6}$/, expected: "a whole number from 1 to 9999999" },
  path: { re: /^\/[^\s"'#\\;]*$/, expected: "an absolute path without spaces, quotes, '#', '\\' or ';'" },
  listen: { re: /^[^\s"'#\\;]+:\d{1,5}$/, expected: 'ADDRESS:PORT such as "0.0.0.0:80"' },
  duration: { re: /^\d{1,6}(ms|s|m|h)$/, expected: 'a duration such as "60s" or "5m"' },
};

export function validateConfigToken(what: string, value: string, kind: keyof typeof TOKEN): void {
  const { re, expected } = TOKEN[kind];
  if (!re.test(value)) {
    throw new AppError(
      "router_failed",
      `router: ${what} "${value}" must be ${expected}`,
      "Fix the router settings passed to the server (data dir, listen address).",
    );
  }
}

const CERT_NAME = /^[a-z0-9][a-z0-9_.-]{0,99}$/;
const SHA1_HEX = /^[0-9A-F]{40}$/;
/** Two years: what browsers' preload lists ask for, and more than enough. */
export const MAX_HSTS_SEC = 63_072_000;

function validateTls(desired: DesiredRouter): void {
  const names = new Set<string>();
  (desired.certificates ?? []).forEach((c, i) => {
    const at = `certificates[${i}]`;
    if (!CERT_NAME.test(c.name)) throw invalid(`${at}.name`, `"${c.name}" must be 1 to 100 of a-z, 0-9, '_', '.', '-'`);
    if (names.has(c.name)) throw invalid(`${at}.name`, `certificate "${c.name}" appears twice`);
    names.add(c.name);
    if (!SHA1_HEX.test(c.fingerprint)) throw invalid(`${at}.fingerprint`, "must be 40 uppercase hex digits (SHA-1)");
    if (typeof c.pem !== "string" || !c.pem.includes("-----BEGIN")) throw invalid(`${at}.pem`, "is not PEM text");
  });
  (desired.redirectHttps ?? []).forEach((h, i) => {
    if (!isValidHost(h)) throw invalid(`redirectHttps[${i}]`, `"${h}" must be a lowercase hostname`);
  });
  for (const [h, sec] of Object.entries(desired.hsts ?? {})) {
    if (!isValidHost(h)) throw invalid(`hsts["${h}"]`, "must be a lowercase hostname");
    if (!Number.isInteger(sec) || sec < 0 || sec > MAX_HSTS_SEC)
      throw invalid(`hsts["${h}"]`, `${sec} must be a whole number of seconds from 0 to ${MAX_HSTS_SEC}`);
  }
}
