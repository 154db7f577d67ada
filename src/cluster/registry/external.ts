import type Database from "better-sqlite3";
import { AppError } from "../../errors/app-error.js";
import type { Keyring } from "../../secrets/keyring.js";

/**
 * A team's own registry instead of Yadokari's (`yk cluster:registry URL
 * --username U --password-stdin`): images are pushed there as
 * <host>[/<path>]/yadokari/<app>:<commit>, and nodes pull with the stored
 * credentials (Swarm passes them to the nodes with each service). The
 * password is sealed with the master key; the API never returns it.
 */
export interface ExternalRegistry {
  /** host[:port][/path], what prefixes image references */
  host: string;
  username: string | null;
  password: string | null;
}

export interface ExternalRegistryView {
  url: string;
  host: string;
  username: string | null;
  hasPassword: boolean;
}

const HOST = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;
const PATH = /^(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** Validates `--registry URL`: https only (Docker pulls plain HTTP only from loopback), host, port, a path. Pure. */
export function parseRegistryUrl(input: unknown): string {
  if (typeof input !== "string" || input.length > 255)
    throw new AppError("invalid_registry", "the registry URL must be a string of at most 255 characters");
  // What the URL parser would quietly rewrite is refused first: it drops tabs and newlines, maps fullwidth and
  // look-alike letters (IDNA), turns '\' into '/' and resolves '..', so the URL stored would not be the one sent.
  if (!/^[\x21-\x7e]+$/.test(input) || input.includes("\\"))
    throw new AppError(
      "invalid_registry",
      "the registry URL must be printable ASCII without spaces or backslashes (a punycode host is xn--…)",
    );
  if (input.split("/").some((seg) => seg === "." || seg === ".."))
    throw new AppError("invalid_registry", "the registry URL's path must not have '.' or '..' segments");
  let url: URL;
  try {
    url = new URL(input.includes("://") ? input : `https://${input}`);
  } catch {
    throw new AppError("invalid_registry", `${JSON.stringify(input.slice(0, 80))} is not a URL`);
  }
  if (url.protocol !== "https:")
    throw new AppError(
      "invalid_registry",
      `the registry must be reached over https, not ${url.protocol.replace(":", "")}`,
    );
  if (url.username || url.password || url.search || url.hash)
    throw new AppError(
      "invalid_registry",
      "put credentials in --username/--password-stdin, not in the URL; no query or fragment",
    );
  const host = url.host.toLowerCase();
  const path = url.pathname.replace(/\/+$/, "");
  if (!HOST.test(host) || !PATH.test(path))
    throw new AppError(
      "invalid_registry",
      `${JSON.stringify(input.slice(0, 80))} is not host[:port][/path] in lowercase`,
    );
  if (url.port && (Number(url.port) < 1 || Number(url.port) > 65535))
    throw new AppError("invalid_registry", `the port ${url.port} is out of range`);
  return `${host}${path}`;
}

const KEY = "cluster.registry";
const AAD = "cluster.registry.password";

/** Stored in the store's key-value meta table (no schema change): the password sealed. */
export class ExternalRegistrySettings {
  constructor(
    private readonly db: Database.Database,
    private readonly keyring: Keyring,
  ) {}

  get(): ExternalRegistry | null {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(KEY) as { value: string } | undefined;
    if (!row) return null;
    const v = JSON.parse(row.value) as { host: string; username: string | null; password: string | null };
    return { host: v.host, username: v.username, password: v.password ? this.keyring.open(v.password, AAD) : null };
  }

  view(): ExternalRegistryView | null {
    const r = this.get();
    return r
      ? { url: `https://${r.host}`, host: r.host, username: r.username, hasPassword: r.password !== null }
      : null;
  }

  set(input: { url: unknown; username?: unknown; password?: unknown }): ExternalRegistryView {
    const host = parseRegistryUrl(input.url);
    const username = input.username === undefined || input.username === null ? null : input.username;
    const password = input.password === undefined || input.password === null ? null : input.password;
    if (username !== null && (typeof username !== "string" || !/^[^\s:]{1,255}$/.test(username)))
      throw new AppError("invalid_registry", "the username must be 1 to 255 characters without spaces or ':'");
    if (password !== null && (typeof password !== "string" || password.length < 1 || password.length > 4096))
      throw new AppError("invalid_registry", "the password must be 1 to 4096 characters");
    if ((username === null) !== (password === null))
      throw new AppError("invalid_registry", "give both a username and a password, or neither");
    const value = JSON.stringify({
      host,
      username,
      password: password === null ? null : this.keyring.seal(password as string, AAD),
    });
    this.db
      .prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .run(KEY, value);
    return this.view()!;
  }

  unset(): void {
    this.db.prepare("DELETE FROM meta WHERE key = ?").run(KEY);
  }
}
