import type { Store } from "../store/store.js";
import type { DesiredRouter, RouterPort } from "../router/types.js";
import type { Engine } from "../engines/engine.js";
import type { Probe } from "./health/gate.js";
import type { AppLocks } from "./app-locks.js";
import type { DeployLogs } from "./deploy-log.js";
import type { Keyring } from "../secrets/keyring.js";
import type { Clock } from "../lib/clock.js";
import type { Units } from "./units.js";
import type { OneOffs } from "./one-offs.js";
import type { CanaryStore } from "../canary/canary-store.js";
import type { Quotas } from "../domain/quotas.js";
import type { BuildSettings } from "../build/settings.js";

/** What the engine's parts need, wired once in src/main/server.ts. */
export interface EngineContext {
  store: Store;
  keyring: Keyring;
  /** what runs the units: the local Docker engine, or another behind the same seam */
  engine: Engine;
  /** the units we created (recorded): the only ones anything acts on */
  units: Units;
  oneOffs: OneOffs;
  router: RouterPort;
  locks: AppLocks;
  logs: DeployLogs;
  /** canary records and blue-green standby sets */
  canaries: CanaryStore;
  /** the health gate's HTTP GET */
  probe: Probe;
  /** the one clock: every time read goes through it */
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** base domain for <app>.<domain> */
  domain: string;
  /** the router's public port, for URLs */
  httpPort: number;
  dataDir: string;
  drainTimeoutSec: number;
  stopTimeoutSec: number;
  releasePhaseTimeoutSec: number;
  /** how long new non-web units must stay up in a deploy (YADOKARI_SETTLE_SEC); absent (unit tests): no wait */
  settleSec?: number;
  /** how many releases per app keep their image (YADOKARI_KEEP_RELEASES) */
  keepReleases: number;
  /** what one app may pile up: domains, config vars, mounts, cron jobs (YADOKARI_MAX_DOMAINS and its kin) */
  quotas: Quotas;
  /** a build's limits: context size and entries, time, approved base images (YADOKARI_BUILD_TIMEOUT and its kin) */
  build: BuildSettings;
  /** the pids limit of every app container (YADOKARI_PIDS_LIMIT; src/docker/hardening.ts) */
  pidsLimit: number;
  /** apps the reconciler repairs at once when many units are missing, as after a reboot (YADOKARI_START_CONCURRENCY) */
  startConcurrency: number;
  /** server log (not a deploy log) */
  log: (msg: string) => void;
  /** The TLS part of the router's desired state (certificates, redirects, HSTS, the API's hostname); absent: none. */
  tls?: {
    desired(): Pick<DesiredRouter, "certificates" | "redirectHttps" | "hsts" | "api">;
    /** Yadokari's own API hostname (--api-hostname): no app may take it. */
    apiHostname?: string;
  };
}

export const nowMs = (ctx: Pick<EngineContext, "clock">) => ctx.clock.now().getTime();
