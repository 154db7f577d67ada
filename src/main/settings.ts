import { AppError } from "../errors/app-error.js";
import { validateHostname } from "../domain/names.js";
import { parseListen } from "../lib/listen.js";
import { LOG_LEVELS, type LogLevel } from "../lib/logger.js";
import { DEFAULT_STORAGE_ROOT, storageRoots } from "../storage/mount-rules.js";
import { parseDockerHost } from "../cluster/docker-host.js";
import { MAX_UPLOAD_BYTES, UPLOAD_LIMIT_MAX } from "../build/upload.js";
import { DEFAULT_BUILD_TIMEOUT_SEC, DEFAULT_MAX_CONTEXT_BYTES, DEFAULT_MAX_ENTRIES } from "../build/settings.js";
import { DEFAULT_BASE_IMAGES, parseBaseImages } from "../build/dockerfile-policy.js";
import { DEFAULT_PIDS_LIMIT, MIN_PIDS_LIMIT } from "../docker/hardening.js";
import { DEFAULT_QUOTAS } from "../domain/quotas.js";
import type { S3Settings } from "../ops/backup/s3.js";

/**
 * Every setting of `yadokari server`, in one table: its flag (if any), its
 * environment variable, its default, what values are allowed, and what it
 * does. They are read once at start (flag, else environment, else default),
 * checked (a wrong value stops the server with its name, the value and what
 * is allowed), and passed down as one object: nothing else in src/ reads
 * YADOKARI_* variables (nor the docker CLI's DOCKER_HOST and its kin, which
 * the cluster commands follow). docs/settings.md is generated from this table
 * (`npm run docs:settings`; a unit test checks it is current).
 */

interface Def<T> {
  env: string;
  /** the command-line flag, for the settings one sets by hand */
  flag?: string;
  default: T;
  /** what the doc and the errors say is allowed */
  allowed: string;
  description: string;
  /** masked by --print-config */
  secret?: boolean;
  parse(text: string): T | undefined;
  show?(v: T): string;
}

const int =
  (min: number, max: number) =>
  (text: string): number | undefined => {
    if (!/^\d{1,15}$/.test(text.trim())) return undefined;
    const n = Number(text.trim());
    return n >= min && n <= max ? n : undefined;
  };
const oneOf =
  <T extends string>(values: readonly T[]) =>
  (text: string): T | undefined =>
    (values as readonly string[]).includes(text) ? (text as T) : undefined;
const listen = (text: string) => {
  try {
    parseListen(text, "");
    return text.trim();
  } catch {
    return undefined;
  }
};
const hostname = (text: string) => {
  try {
    return validateHostname(text);
  } catch {
    return undefined;
  }
};
const absolutePath = (text: string) => (text.startsWith("/") && !text.includes("\0") ? text : undefined);
const MiB = 1024 * 1024;

const def = <T>(d: Def<T>) => d;

export const SETTINGS = {
  dataDir: def({
    env: "YADOKARI_DATA_DIR",
    flag: "--data-dir",
    default: "/var/lib/yadokari",
    allowed: "an absolute path",
    description: "where the store, the master key, the router's config and the admin token live",
    parse: absolutePath,
  }),
  apiListen: def({
    env: "YADOKARI_API_LISTEN",
    flag: "--api-listen",
    default: "127.0.0.1:7700",
    allowed: "host:port",
    description: "address of the API, the web UI and git",
    parse: listen,
  }),
  httpListen: def({
    env: "YADOKARI_HTTP_LISTEN",
    flag: "--http-listen",
    default: "0.0.0.0:80",
    allowed: "host:port",
    description: "address where the router (HAProxy) serves apps",
    parse: listen,
  }),
  domain: def({
    env: "YADOKARI_DOMAIN",
    flag: "--domain",
    default: "localhost",
    allowed: "a DNS name",
    description: "apps get APP.DOMAIN, review apps BRANCH.APP.DOMAIN",
    parse: hostname,
  }),
  accessLog: def({
    env: "YADOKARI_ACCESS_LOG",
    flag: "--access-log",
    default: "on" as "on" | "off",
    allowed: "on, off",
    description:
      "the router's JSON access log; off gives more requests/s but no latency percentiles in metrics and canaries",
    parse: oneOf(["on", "off"] as const),
  }),
  httpsListen: def({
    env: "YADOKARI_HTTPS_LISTEN",
    flag: "--https-listen",
    default: "0.0.0.0:443",
    allowed: "host:port, or off",
    description: "address where the router serves apps over HTTPS (SNI, HTTP/2); off: plain HTTP only, no certificates",
    parse: (t) => (t.trim() === "off" ? "off" : listen(t)),
  }),
  acmeDirectory: def({
    env: "YADOKARI_ACME_DIRECTORY",
    flag: "--acme-directory",
    default: "",
    allowed: "an https:// URL, production or staging (Let's Encrypt's), or empty",
    description:
      "the ACME CA that issues automatic certificates; empty with --acme-email set: Let's Encrypt production; both empty: no automatic certificates",
    parse: (t) => {
      const d = t.trim();
      if (["production", "staging", "letsencrypt", "letsencrypt-staging"].includes(d)) return d;
      try {
        return new URL(d).protocol === "https:" ? d : undefined;
      } catch {
        return undefined;
      }
    },
  }),
  acmeEmail: def({
    env: "YADOKARI_ACME_EMAIL",
    flag: "--acme-email",
    default: "",
    allowed: "an email address, or empty",
    description: "the ACME account's contact (expiry notices); alone, it turns on Let's Encrypt production",
    parse: (t) => (/^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{1,63}$/.test(t.trim()) ? t.trim() : undefined),
  }),
  acmeCaFile: def({
    env: "YADOKARI_ACME_CA_FILE",
    flag: "--acme-ca-file",
    default: "",
    allowed: "a PEM file's path, or empty",
    description: "a CA to trust for the ACME server's own HTTPS (a private or test CA such as Pebble's)",
    parse: (t) => (t.includes("\0") ? undefined : t),
  }),
  apiHostname: def({
    env: "YADOKARI_API_HOSTNAME",
    flag: "--api-hostname",
    default: "",
    allowed: "a DNS name, or empty",
    description:
      "serve the API, the web UI and git over HTTPS through the router at this hostname, with an automatic certificate (needs --api-listen on an IPv4 address)",
    parse: hostname,
  }),
  logFormat: def({
    env: "YADOKARI_LOG_FORMAT",
    flag: "--log-format",
    default: "json" as "json" | "pretty",
    allowed: "json, pretty",
    description: "the server log on stdout: JSON lines (one object per event), or short lines for a terminal",
    parse: oneOf(["json", "pretty"] as const),
  }),
  logLevel: def({
    env: "YADOKARI_LOG_LEVEL",
    flag: "--log-level",
    default: "info" as LogLevel,
    allowed: LOG_LEVELS.join(", "),
    description: "the least severe level logged (debug adds one line per API request)",
    parse: oneOf(LOG_LEVELS),
  }),
  publicUrl: def({
    env: "YADOKARI_PUBLIC_URL",
    default: "" as string,
    allowed: "an http:// or https:// URL, or empty",
    description: "the API's address as the outside sees it, for webhook URLs (default: the --api-listen address)",
    parse: (t) => {
      if (t === "") return "";
      try {
        const u = new URL(t);
        return u.protocol === "http:" || u.protocol === "https:" ? t.replace(/\/+$/, "") : undefined;
      } catch {
        return undefined;
      }
    },
    show: (v) => v.replace(/^([a-z]+:\/\/[^/@:]*):[^/@]*@/i, "$1:***@"),
  }),
  storageRoots: def({
    env: "YADOKARI_STORAGE_ROOTS",
    default: [DEFAULT_STORAGE_ROOT] as string[],
    allowed: "absolute directories separated by ':'",
    description: "host directories below which apps may mount storage (a root itself is not mountable)",
    parse: (t) => {
      const roots = storageRoots(t);
      return roots.length === t.split(":").filter((r) => r !== "").length && roots.length > 0 ? roots : undefined;
    },
    show: (v) => v.join(":"),
  }),
  drainTimeoutSec: def({
    env: "YADOKARI_DRAIN_TIMEOUT",
    default: 30,
    allowed: "whole seconds, 0 to 3600",
    description: "how long an old web container may finish its requests after it leaves the router",
    parse: int(0, 3600),
  }),
  stopTimeoutSec: def({
    env: "YADOKARI_STOP_TIMEOUT",
    default: 10,
    allowed: "whole seconds, 0 to 3600",
    description: "how long a container has between SIGTERM and SIGKILL",
    parse: int(0, 3600),
  }),
  releaseTimeoutSec: def({
    env: "YADOKARI_RELEASE_TIMEOUT",
    default: 600,
    allowed: "whole seconds, 1 to 86400",
    description: "how long a release phase (Procfile release:) may run before the deploy fails",
    parse: int(1, 86400),
  }),
  settleSec: def({
    env: "YADOKARI_SETTLE_SEC",
    default: 10,
    allowed: "whole seconds, 0 to 600",
    description:
      "how long a deploy's new non-web processes (workers) must stay up before it succeeds; app.json formation.<type>.settle overrides it per type; 0 turns the check off",
    parse: int(0, 600),
  }),
  keepReleases: def({
    env: "YADOKARI_KEEP_RELEASES",
    default: 10,
    allowed: "1 to 1000",
    description: "how many releases per app keep their image, for rollbacks without a rebuild",
    parse: int(1, 1000),
  }),
  maxUploadBytes: def({
    env: "YADOKARI_MAX_UPLOAD_BYTES",
    default: MAX_UPLOAD_BYTES,
    allowed: "bytes, 1 MiB to 16 GiB",
    description: "the largest build upload (tar or tar.gz, as sent) the API reads; past it the answer is 413",
    parse: int(MiB, UPLOAD_LIMIT_MAX),
  }),
  buildTimeoutSec: def({
    env: "YADOKARI_BUILD_TIMEOUT",
    default: DEFAULT_BUILD_TIMEOUT_SEC,
    allowed: "whole seconds, 1 to 86400",
    description: "a build still running after this long is cancelled (build_timeout), its container removed",
    parse: int(1, 86_400),
  }),
  buildMaxContextBytes: def({
    env: "YADOKARI_BUILD_MAX_CONTEXT_BYTES",
    default: DEFAULT_MAX_CONTEXT_BYTES,
    allowed: "bytes, 1 MiB to 1 TiB",
    description:
      "the largest build context once decompressed, counted while the upload is read, before Docker sees it (a small gzip can expand to gigabytes)",
    parse: int(MiB, 1024 * 1024 * MiB),
  }),
  buildMaxEntries: def({
    env: "YADOKARI_BUILD_MAX_ENTRIES",
    default: DEFAULT_MAX_ENTRIES,
    allowed: "1 to 10000000",
    description: "the most files, directories and links a build context may have",
    parse: int(1, 10_000_000),
  }),
  buildBaseImages: def({
    env: "YADOKARI_BUILD_BASE_IMAGES",
    default: [...DEFAULT_BASE_IMAGES] as string[],
    allowed: "repositories or namespace/* separated by commas or spaces (not yadokari/*)",
    description:
      "the images a Dockerfile may build FROM besides the app's own, added to yadokari-local/* (docs/security.md)",
    parse: parseBaseImages,
    show: (v) => v.join(","),
  }),
  pidsLimit: def({
    env: "YADOKARI_PIDS_LIMIT",
    default: DEFAULT_PIDS_LIMIT,
    allowed: `${MIN_PIDS_LIMIT} to 4194304`,
    description: "the most processes and threads one app container may have (a fork bomb stops at its container)",
    parse: int(MIN_PIDS_LIMIT, 4_194_304),
  }),
  maxDomains: def({
    env: "YADOKARI_MAX_DOMAINS",
    default: DEFAULT_QUOTAS.domains,
    allowed: "0 to 100000",
    description: "the most custom domains one app may have",
    parse: int(0, 100_000),
  }),
  maxConfigVars: def({
    env: "YADOKARI_MAX_CONFIG_VARS",
    default: DEFAULT_QUOTAS.configVars,
    allowed: "0 to 100000",
    description: "the most config vars one app may have (its review apps' overrides count apart)",
    parse: int(0, 100_000),
  }),
  maxMounts: def({
    env: "YADOKARI_MAX_MOUNTS",
    default: DEFAULT_QUOTAS.mounts,
    allowed: "0 to 1000",
    description: "the most storage mounts one app may have",
    parse: int(0, 1000),
  }),
  maxCronJobs: def({
    env: "YADOKARI_MAX_CRON_JOBS",
    default: DEFAULT_QUOTAS.cronJobs,
    allowed: "0 to 10000",
    description: "the most cron jobs one app's app.json may declare (a deploy with more fails)",
    parse: int(0, 10_000),
  }),
  routerMaxconn: def({
    env: "YADOKARI_ROUTER_MAXCONN",
    default: 8000,
    allowed: "1 to 1000000",
    description: "HAProxy's maxconn (about 2 file descriptors each: it refuses to start past the FD limit)",
    parse: int(1, 1_000_000),
  }),
  logMaxBytes: def({
    env: "YADOKARI_LOG_MAX_BYTES",
    default: 64 * MiB,
    allowed: "bytes, 1 MiB to 64 GiB",
    description: "the router's access log and DATA_DIR/server.log are rotated (kept as .1) past this size",
    parse: int(MiB, 64 * 1024 * MiB),
  }),
  metricsIntervalMs: def({
    env: "YADOKARI_METRICS_INTERVAL_MS",
    default: 5000,
    allowed: "ms, 200 to 600000",
    description: "how often the router's counters are sampled for metrics and canaries",
    parse: int(200, 600_000),
  }),
  cronTickMs: def({
    env: "YADOKARI_CRON_TICK_MS",
    default: 15_000,
    allowed: "ms, 100 to 60000",
    description: "how often due cron jobs are looked for",
    parse: int(100, 60_000),
  }),
  cronTimeoutSec: def({
    env: "YADOKARI_CRON_TIMEOUT_SEC",
    default: 3600,
    allowed: "whole seconds, 1 to 604800",
    description: "a cron run still going after this long is stopped and recorded as timed out",
    parse: int(1, 604_800),
  }),
  runGraceSec: def({
    env: "YADOKARI_RUN_GRACE_SEC",
    default: 600,
    allowed: "whole seconds, 0 to 604800",
    description: "how long an exited detached run's container stays, so yk logs shows it",
    parse: int(0, 604_800),
  }),
  runSweepMs: def({
    env: "YADOKARI_RUN_SWEEP_MS",
    default: 30_000,
    allowed: "ms, 100 to 3600000",
    description: "how often finished or abandoned run containers are removed",
    parse: int(100, 3_600_000),
  }),
  reviewCleanupMs: def({
    env: "YADOKARI_REVIEW_CLEANUP_MS",
    default: 60_000,
    allowed: "ms, 100 to 86400000",
    description: "how often review apps past their TTL are looked for",
    parse: int(100, 86_400_000),
  }),
  eventsTickMs: def({
    env: "YADOKARI_EVENTS_TICK_MS",
    default: 1000,
    allowed: "ms, 50 to 60000",
    description: "how often the web UI's event stream looks for changes",
    parse: int(50, 60_000),
  }),
  acmeTickMs: def({
    env: "YADOKARI_ACME_TICK_MS",
    default: 30_000,
    allowed: "ms, 100 to 3600000",
    description: "how often hostnames without a valid certificate, and certificates due for renewal, are looked for",
    parse: int(100, 3_600_000),
  }),
  acmeBackoffMs: def({
    env: "YADOKARI_ACME_BACKOFF_MS",
    default: 60_000,
    allowed: "ms, 100 to 86400000",
    description: "the wait after a hostname's first failed ACME attempt; it doubles with each failure",
    parse: int(100, 86_400_000),
  }),
  acmeBackoffMaxMs: def({
    env: "YADOKARI_ACME_BACKOFF_MAX_MS",
    default: 6 * 3600_000,
    allowed: "ms, 100 to 604800000",
    description: "the longest wait between a hostname's ACME attempts",
    parse: int(100, 604_800_000),
  }),
  acmePollMs: def({
    env: "YADOKARI_ACME_POLL_MS",
    default: 1000,
    allowed: "ms, 50 to 60000",
    description: "the first wait when polling the ACME server for an order's status",
    parse: int(50, 60_000),
  }),
  acmePollMaxMs: def({
    env: "YADOKARI_ACME_POLL_MAX_MS",
    default: 10_000,
    allowed: "ms, 50 to 600000",
    description: "the longest wait between polls of the ACME server",
    parse: int(50, 600_000),
  }),
  admissionImage: def({
    env: "YADOKARI_ADMISSION_IMAGE",
    default: "yadokari-local/busybox:1",
    allowed: "an image reference (name[:tag]) present on the nodes",
    description: "the image of the probe that checks a node before it takes apps (yk nodes:admit)",
    parse: (t) => (/^[a-z0-9][a-z0-9._/:@-]{0,254}$/.test(t) && !t.includes("//") ? t : undefined),
  }),
  // Operating Yadokari itself (issue 16): the engine, the cold start, the shutdown, backups to S3.
  dockerSocket: def({
    env: "YADOKARI_DOCKER_SOCKET",
    default: "/var/run/docker.sock",
    allowed: "an absolute path",
    description:
      "the socket of the local Docker engine the server runs apps on (and `yadokari restore` and `yk router:check` use)",
    parse: absolutePath,
  }),
  startConcurrency: def({
    env: "YADOKARI_START_CONCURRENCY",
    default: 4,
    allowed: "1 to 64",
    description:
      "apps the reconciler repairs at once when many units are missing (a cold start after a reboot); every app's web first, then the other process types",
    parse: int(1, 64),
  }),
  shutdownGraceSec: def({
    env: "YADOKARI_SHUTDOWN_GRACE",
    default: 60,
    allowed: "whole seconds, 0 to 86400",
    description:
      "on SIGTERM/SIGINT the server takes no new deploys and gives running ones this long to reach a recorded step, then exits (HAProxy keeps serving)",
    parse: int(0, 86_400),
  }),
  s3Endpoint: def({
    env: "YADOKARI_S3_ENDPOINT",
    default: "",
    allowed: "an http:// or https:// URL, or empty (AWS's regional endpoint)",
    description: "the S3-compatible store of s3://BUCKET/PREFIX backup targets (path-style requests)",
    parse: (t) => {
      try {
        const u = new URL(t.trim());
        return u.protocol === "http:" || u.protocol === "https:" ? t.trim() : undefined;
      } catch {
        return undefined;
      }
    },
    show: (v) => v.replace(/^([a-z]+:\/\/[^/@:]*):[^/@]*@/i, "$1:***@"),
  }),
  s3Region: def({
    env: "YADOKARI_S3_REGION",
    default: "",
    allowed: "a region name (us-east-1), or empty (AWS_REGION, else us-east-1)",
    description: "the region s3:// backup requests are signed for",
    parse: (t) => (/^[a-z0-9-]{2,32}$/.test(t.trim()) ? t.trim() : undefined),
  }),
  // The credentials of s3:// backup targets, named by AWS's own variables (as its CLI and SDKs read them).
  awsRegion: def({
    env: "AWS_REGION",
    default: "",
    allowed: "a region name, or empty",
    description: "the region of s3:// backup targets when YADOKARI_S3_REGION is empty (default us-east-1)",
    parse: (t) => (/^[a-z0-9-]{2,32}$/.test(t.trim()) ? t.trim() : undefined),
  }),
  awsAccessKeyId: def({
    env: "AWS_ACCESS_KEY_ID",
    default: "",
    allowed: "an access key id, or empty",
    description: "the access key of s3:// backup targets (yk backup --to s3://…, yk backup:schedule, yadokari restore)",
    secret: true,
    parse: (t) => (/^[\x21-\x7e]{1,256}$/.test(t) ? t : undefined),
  }),
  awsSecretAccessKey: def({
    env: "AWS_SECRET_ACCESS_KEY",
    default: "",
    allowed: "a secret access key, or empty",
    description: "the secret key that goes with AWS_ACCESS_KEY_ID",
    secret: true,
    parse: (t) => (/^[\x21-\x7e]{1,256}$/.test(t) ? t : undefined),
  }),
  awsSessionToken: def({
    env: "AWS_SESSION_TOKEN",
    default: "",
    allowed: "a session token, or empty",
    description: "the session token of temporary AWS credentials",
    secret: true,
    parse: (t) => (/^[\x21-\x7e]{1,4096}$/.test(t) ? t : undefined),
  }),
  // The engine the cluster commands talk to, named by the docker CLI's own variables (not YADOKARI_*), so
  // that an operator's `docker` and Yadokari point at the same engine with the same environment.
  dockerHost: def({
    env: "DOCKER_HOST",
    default: "",
    allowed: "unix:///path or tcp://host[:port], or empty (the local socket)",
    description:
      "the Docker engine of the swarm's manager, as the docker CLI reads it (yk nodes and the cluster routes)",
    parse: (t) => {
      try {
        parseDockerHost({ DOCKER_HOST: t }, "/");
        return t.trim();
      } catch {
        return undefined;
      }
    },
  }),
  dockerTlsVerify: def({
    env: "DOCKER_TLS_VERIFY",
    default: false as boolean,
    allowed: "any value turns it on (as for the docker CLI); unset or empty: off",
    description: "TLS to a tcp:// DOCKER_HOST, the engine's certificate verified against DOCKER_CERT_PATH/ca.pem",
    parse: () => true,
  }),
  dockerTls: def({
    env: "DOCKER_TLS",
    default: false as boolean,
    allowed: "any value turns it on (as for the docker CLI); unset or empty: off",
    description: "TLS to a tcp:// DOCKER_HOST without verifying the engine's certificate",
    parse: () => true,
  }),
  dockerCertPath: def({
    env: "DOCKER_CERT_PATH",
    default: "",
    allowed: "a directory, or empty (~/.docker)",
    description: "where ca.pem, cert.pem and key.pem for a TLS DOCKER_HOST are",
    parse: (t) => (t.includes("\0") ? undefined : t),
  }),
};

type Table = typeof SETTINGS;
export type SettingName = keyof Table;
export type Settings = { [K in SettingName]: Table[K]["default"] };
export type Source = "flag" | "env" | "default";

export const settingNames = Object.keys(SETTINGS) as SettingName[];

/**
 * The settings from flags (commander's values, by setting name), then the
 * environment, then the defaults. Throws an AppError naming the first wrong
 * value. An empty environment variable counts as unset.
 */
export function loadSettings(
  flags: Partial<Record<SettingName, string>>,
  env: Record<string, string | undefined>,
): { settings: Settings; sources: Record<SettingName, Source> } {
  const settings: Record<string, unknown> = {};
  const sources = {} as Record<SettingName, Source>;
  for (const name of settingNames) {
    const d = SETTINGS[name] as Def<unknown>;
    const fromFlag = flags[name];
    const fromEnv = env[d.env];
    const [text, source, label]: [string | undefined, Source, string] =
      fromFlag !== undefined
        ? [fromFlag, "flag", d.flag!]
        : fromEnv !== undefined && fromEnv !== ""
          ? [fromEnv, "env", d.env]
          : [undefined, "default", d.env];
    sources[name] = source;
    if (text === undefined) {
      settings[name] = d.default;
      continue;
    }
    const value = d.parse(text);
    if (value === undefined) {
      const shown = d.secret ? "(the value given)" : JSON.stringify(text.length > 80 ? text.slice(0, 80) + "…" : text);
      throw new AppError(
        "invalid_setting",
        `${label}=${shown} is not allowed: expected ${d.allowed}`,
        `Fix or unset ${label}${d.flag && label !== d.flag ? ` (or pass ${d.flag})` : ""}; docs/settings.md lists every setting.`,
      );
    }
    settings[name] = value;
  }
  return { settings: settings as Settings, sources };
}

const shown = (name: SettingName, value: unknown): string => {
  const d = SETTINGS[name] as Def<unknown>;
  if (d.secret) return value === "" ? "" : "********";
  return d.show ? d.show(value) : String(value);
};

/** `yadokari server --print-config`: one `NAME=value` line per setting with where it came from; secrets masked. */
export function printConfig(settings: Settings, sources: Record<SettingName, Source>): string {
  const lines = settingNames.map((n) => [`${SETTINGS[n].env}=${shown(n, settings[n])}`, sources[n]] as const);
  const width = Math.max(...lines.map(([l]) => l.length));
  return lines.map(([l, src]) => `${l.padEnd(width)}  # ${src}`).join("\n") + "\n";
}

/** The table of docs/settings.md. */
export function settingsTable(): string {
  const rows = settingNames.map((n) => {
    const d = SETTINGS[n] as Def<unknown>;
    const def = d.show ? d.show(d.default) : String(d.default);
    return `| \`${d.env}\` | ${d.flag ? `\`${d.flag}\`` : ""} | ${def === "" ? "(none)" : `\`${def}\``} | ${d.allowed} | ${d.description} |`;
  });
  return ["| variable | flag | default | allowed | what it does |", "| --- | --- | --- | --- | --- |", ...rows].join(
    "\n",
  );
}

/** Where and as whom s3:// backup targets are reached (src/ops/backup/s3.ts). */
export function s3Settings(s: Settings): S3Settings {
  return {
    endpoint: s.s3Endpoint,
    region: s.s3Region || s.awsRegion || "us-east-1",
    accessKeyId: s.awsAccessKeyId,
    secretAccessKey: s.awsSecretAccessKey,
    sessionToken: s.awsSessionToken,
  };
}

/** The docker CLI's variables, as the settings hold them: the swarm manager's engine. */
export function dockerEnv(s: Settings): Record<string, string> {
  return {
    DOCKER_HOST: s.dockerHost,
    DOCKER_TLS_VERIFY: s.dockerTlsVerify ? "1" : "",
    DOCKER_TLS: s.dockerTls ? "1" : "",
    DOCKER_CERT_PATH: s.dockerCertPath,
  };
}
