/** Progressive-delivery settings (app.json `yadokari.deploy`, `yk deploy:set`): the strategy and the canary's steps and thresholds. */
export interface StrategySettings {
  strategy?: Strategy;
  /** the new release's share of requests per step, percent, ascending, ending at 100 (default 5, 25, 50, 100) */
  steps?: number[];
  /** how long each step is held (default 60 s) */
  stepSec?: number;
  /** a step may end once the new release served this many requests */
  stepRequests?: number;
  maxErrorPct?: number;
  errorMarginPct?: number;
  latencyFactor?: number;
  latencyFloorMs?: number;
  minRequests?: number;
  /** blue-green: how long the old set stays idle (weight 0, running) for an instant switch back (default 300 s) */
  idleSec?: number;
  /** sticky sessions: a cookie keeps a client on the server (so the release) it first reached */
  sticky?: boolean;
}

export const STRATEGIES = ["rolling", "canary", "blue-green"] as const;
/** blue-green: how long the old set stands by unless the settings say otherwise */
export const DEFAULT_IDLE_SEC = 300;
export type Strategy = (typeof STRATEGIES)[number];
