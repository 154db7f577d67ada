import type { Store } from "../store/store.js";
import type { RouterPort } from "../router/types.js";
import type { Engine } from "../engines/engine.js";
import type { Probe } from "./health/gate.js";
import type { AppLocks } from "./app-locks.js";
import type { DeployLogs } from "./deploy-log.js";
import type { Keyring } from "../secrets/keyring.js";
import type { Clock } from "../lib/clock.js";
import type { Units } from "./units.js";
import type { OneOffs } from "./one-offs.js";
import type { CanaryStore } from "../canary/canary-store.js";

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
  /** server log (not a deploy log) */
  log: (msg: string) => void;
}

export const nowMs = (ctx: Pick<EngineContext, "clock">) => ctx.clock.now().getTime();
