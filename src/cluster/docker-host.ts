import { join } from "node:path";
import { AppError } from "../errors/app-error.js";

/**
 * Where the Docker engine is, named as the docker CLI names it: DOCKER_HOST
 * (`unix:///path` or `tcp://host[:port]`), DOCKER_TLS_VERIFY (any non-empty
 * value: TLS, server certificate verified), DOCKER_TLS (TLS without verifying
 * the server), DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem; default ~/.docker).
 * Unset DOCKER_HOST is the local socket. Pure: the environment in, data out.
 */
export type EngineEndpoint =
  | { kind: "unix"; socketPath: string }
  | { kind: "tcp"; host: string; port: number; tls: { verify: boolean; certPath: string } | null };

export interface EngineEnv {
  [name: string]: string | undefined;
  DOCKER_HOST?: string;
  DOCKER_TLS_VERIFY?: string;
  DOCKER_TLS?: string;
  DOCKER_CERT_PATH?: string;
}

export const DEFAULT_SOCKET = "/var/run/docker.sock";
/** Docker's registered ports: 2375 plain, 2376 TLS. */
const PLAIN_PORT = 2375;
const TLS_PORT = 2376;

const invalid = (value: string, why: string) =>
  new AppError(
    "invalid_engine_host",
    `DOCKER_HOST=${JSON.stringify(value)} ${why}`,
    "Use unix:///var/run/docker.sock or tcp://HOST:2376 (with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH), as the docker CLI does.",
  );

export function parseDockerHost(env: EngineEnv, home: string): EngineEndpoint {
  const raw = (env.DOCKER_HOST ?? "").trim();
  if (raw === "") return { kind: "unix", socketPath: DEFAULT_SOCKET };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === "unix") {
    const path = raw.slice("unix://".length) || DEFAULT_SOCKET;
    if (!path.startsWith("/")) throw invalid(raw, "names a relative socket path");
    if (/[\0\n]/.test(path)) throw invalid(raw, "has a control character in its path");
    return { kind: "unix", socketPath: path };
  }
  if (scheme !== "tcp") {
    if (scheme === "ssh") throw invalid(raw, "uses ssh://, which Yadokari does not support");
    throw invalid(raw, scheme ? `uses ${scheme}://, not unix:// or tcp://` : "has no unix:// or tcp:// scheme");
  }
  const verify = (env.DOCKER_TLS_VERIFY ?? "") !== "";
  const tls = verify || (env.DOCKER_TLS ?? "") !== "";
  let url: URL;
  try {
    url = new URL(`http://${raw.slice("tcp://".length)}`);
  } catch {
    throw invalid(raw, "is not a valid tcp://HOST:PORT address");
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== "/" && url.pathname !== ""))
    throw invalid(raw, "must be tcp://HOST[:PORT] with nothing after the port");
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) throw invalid(raw, "has no host");
  const port = url.port ? Number(url.port) : tls ? TLS_PORT : PLAIN_PORT;
  const certPath = (env.DOCKER_CERT_PATH ?? "").trim() || join(home, ".docker");
  return { kind: "tcp", host, port, tls: tls ? { verify, certPath } : null };
}

/** The files the engine's TLS needs, read by the caller (the adapter), named here. */
export const tlsFiles = (certPath: string) => ({
  ca: join(certPath, "ca.pem"),
  cert: join(certPath, "cert.pem"),
  key: join(certPath, "key.pem"),
});

/** dockerode's constructor options for an endpoint; `read` reads a certificate file (injected so tests need no files). */
export interface EngineConnectOptions {
  socketPath?: string;
  protocol?: "http" | "https";
  host?: string;
  port?: number;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** false only for DOCKER_TLS without DOCKER_TLS_VERIFY, as the docker CLI's --tls does */
  rejectUnauthorized?: boolean;
}

export function engineConnectOptions(ep: EngineEndpoint, read: (path: string) => Buffer): EngineConnectOptions {
  if (ep.kind === "unix") return { socketPath: ep.socketPath };
  if (!ep.tls) return { protocol: "http", host: ep.host, port: ep.port };
  const files = tlsFiles(ep.tls.certPath);
  const load = (path: string, optional: boolean): Buffer | undefined => {
    try {
      return read(path);
    } catch (e) {
      if (optional) return undefined;
      throw new AppError(
        "invalid_engine_host",
        `the TLS file ${path} for tcp://${ep.host}:${ep.port} is not readable: ${(e as Error).message}`,
        "Put ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH (default ~/.docker), as for the docker CLI.",
      );
    }
  };
  // The docker CLI sends a client certificate when there is one; the CA is needed only to verify the server.
  const ca = load(files.ca, !ep.tls.verify);
  const cert = load(files.cert, true);
  const key = load(files.key, true);
  if (Boolean(cert) !== Boolean(key))
    throw new AppError(
      "invalid_engine_host",
      `DOCKER_CERT_PATH ${ep.tls.certPath} has ${cert ? "cert.pem without key.pem" : "key.pem without cert.pem"}`,
      "Put both cert.pem and key.pem there, or neither.",
    );
  return {
    protocol: "https",
    host: ep.host,
    port: ep.port,
    ...(ca ? { ca } : {}),
    ...(cert && key ? { cert, key } : {}),
    rejectUnauthorized: ep.tls.verify,
  };
}

/** How logs and `yk nodes` name the engine: never the certificates. */
export function describeEndpoint(ep: EngineEndpoint): string {
  if (ep.kind === "unix") return `unix://${ep.socketPath}`;
  return `tcp://${ep.host.includes(":") ? `[${ep.host}]` : ep.host}:${ep.port}${ep.tls ? (ep.tls.verify ? " (TLS, verified)" : " (TLS, not verified)") : ""}`;
}
