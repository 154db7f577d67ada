/**
 * What the router should look like, derived from the store. The router module
 * renders it to a whole HAProxy config file and applies it live through the
 * runtime API (admin socket); nothing else in Yadokari speaks HAProxy.
 */
export interface DesiredServer {
  /** HAProxy server name: [a-zA-Z0-9_.-], unique within its backend (we use the container name). */
  name: string;
  address: string; // IPv4 of the container on the yadokari network
  port: number;
  /** 0..256; HAProxy weights are relative within a backend. */
  weight: number;
  /** ready: takes traffic; drain: finishes in-flight requests, gets no new ones. */
  state: "ready" | "drain";
}

export interface DesiredBackend {
  /** e.g. "app_myapp_web": [a-zA-Z0-9_.-]. */
  name: string;
  servers: DesiredServer[];
  /**
   * Sticky sessions: HAProxy inserts a cookie naming the server a client
   * first reached (a hash of `key`, the server's address and port: HAProxy's
   * dynamic cookies, the only kind runtime-added servers can carry) and sends
   * it back there while that server exists, whatever its weight.
   */
  sticky?: { key: string };
}

/**
 * A certificate the HTTPS listener serves. HAProxy picks it by SNI from the
 * names in the certificate itself (exact names before wildcards).
 */
export interface DesiredCertificate {
  /** File name stem, unique: [a-z0-9_.-] (the file is <router dir>/certs/<name>.pem). */
  name: string;
  /** The leaf certificate, its chain, then its private key, all PEM. */
  pem: string;
  /** SHA-1 of the leaf certificate, uppercase hex without colons: what `show ssl cert` reports. */
  fingerprint: string;
}

/** The router's own API backend: Yadokari's API and UI reached through the router at a hostname. */
export interface DesiredApiRoute {
  hostname: string;
  address: string;
  port: number;
}

export interface DesiredRouter {
  /** Host header (lowercase, no port) → backend name. Unknown hosts get the router's own 404. */
  hosts: Record<string, string>;
  backends: DesiredBackend[];
  /** Certificates for the HTTPS listener; changed live, never by a reload. */
  certificates?: DesiredCertificate[];
  /** Hosts whose plain-HTTP requests get a 308 to HTTPS (ACME challenges excepted). */
  redirectHttps?: string[];
  /** Host → HSTS max-age in seconds, sent on HTTPS responses only. */
  hsts?: Record<string, number>;
  /** Yadokari's own API behind the router (--api-hostname). */
  api?: DesiredApiRoute;
}

/** A certificate the router left out, and why (it never reaches HAProxy). */
export interface RejectedCertificate {
  name: string;
  reason: string;
}

/** One server's live figures, from `show stat`. */
export interface ServerStat {
  backend: string;
  server: string;
  /** current sessions (in-flight + kept-alive server connections in use) */
  scur: number;
  /** queued requests */
  qcur: number;
  /** total requests / sessions served */
  stot: number;
  hrsp2xx: number;
  hrsp5xx: number;
  status: string; // UP, DRAIN, MAINT, no check, ...
  weight: number;
  /** HTTP responses of every class the server sent (Σ hrsp_1xx..hrsp_other), a counter */
  responses: number;
  /** connection errors to the server (counter) */
  econ: number;
  /** response errors: the server closed or failed mid-response (counter) */
  eresp: number;
  /** average response time (ms to the first byte) over the server's last 1024 requests */
  rtime: number;
  /** average total time (ms) over the last 1024 requests */
  ttime: number;
}

export interface RouterPort {
  /**
   * Makes the router match `desired`: writes the whole config (checked with
   * `haproxy -c`, renamed into place), reloads only when the set of backends
   * changed, and applies hosts and servers through the runtime API.
   */
  apply(desired: DesiredRouter): Promise<void>;
  /** Starts HAProxy if none of ours answers (adopts a running one by pid file and socket). */
  ensureRunning(desired: DesiredRouter): Promise<"adopted" | "started" | "running">;
  /** Sessions still open on one server (for draining). 0 when the server is unknown. */
  serverSessions(backend: string, server: string): Promise<number>;
  stats(): Promise<ServerStat[]>;
  /** The HAProxy master pid, or null. */
  pid(): number | null;
  /**
   * Answers `GET /.well-known/acme-challenge/<token>` on the HTTP listener
   * for every host with `keyAuthorization` (null removes it). Live, no reload.
   */
  setAcmeChallenge?(token: string, keyAuthorization: string | null): Promise<void>;
  /** Certificates left out of the last apply or start (unparsable, key mismatch, expired, refused by HAProxy). */
  rejectedCertificates?(): RejectedCertificate[];
}
