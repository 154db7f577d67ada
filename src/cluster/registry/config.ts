import { join } from "node:path";

/** The files of Yadokari's own registry, under <data-dir>/registry. */
export interface RegistryPaths {
  dir: string;
  config: string;
  storage: string;
  htpasswd: string;
  /** the registry's password, sealed with the master key (the htpasswd file has only its bcrypt hash) */
  credentials: string;
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
  pid: string;
  log: string;
}

export function registryPaths(dataDir: string): RegistryPaths {
  const dir = join(dataDir, "registry");
  return {
    dir,
    config: join(dir, "config.yml"),
    storage: join(dir, "storage"),
    htpasswd: join(dir, "htpasswd"),
    credentials: join(dir, "credentials.sealed"),
    caCert: join(dir, "tls", "ca.crt"),
    caKey: join(dir, "tls", "ca.key"),
    cert: join(dir, "tls", "registry.crt"),
    key: join(dir, "tls", "registry.key"),
    pid: join(dir, "registry.pid"),
    log: join(dir, "registry.log"),
  };
}

/**
 * The distribution registry's config (YAML; JSON is YAML, so no quoting can
 * go wrong): TLS with Yadokari's own CA, basic auth from an htpasswd file,
 * deletes allowed (old releases' images are garbage-collected), no
 * storage-driver health check (it would log a failure every 10 s on an empty
 * store). Pure.
 */
export function renderRegistryConfig(p: RegistryPaths, listen: string): string {
  const config = {
    version: 0.1,
    log: { level: "info", formatter: "text", fields: { service: "yadokari-registry" } },
    storage: { filesystem: { rootdirectory: p.storage }, delete: { enabled: true } },
    http: {
      addr: listen,
      tls: { certificate: p.cert, key: p.key },
      headers: { "X-Content-Type-Options": ["nosniff"] },
    },
    auth: { htpasswd: { realm: "yadokari-registry", path: p.htpasswd } },
  };
  return JSON.stringify(config, null, 2) + "\n";
}
