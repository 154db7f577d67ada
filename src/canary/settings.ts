import { AppError } from "../errors/app-error.js";
import { DEFAULT_ANALYSIS, type AnalysisSettings } from "./analysis.js";

export { DEFAULT_IDLE_SEC, STRATEGIES, type Strategy, type StrategySettings } from "../domain/strategy.js";
import { STRATEGIES, type Strategy, type StrategySettings } from "../domain/strategy.js";

export const STRATEGY_KEYS = [
  "strategy",
  "steps",
  "stepSec",
  "stepRequests",
  "maxErrorPct",
  "errorMarginPct",
  "latencyFactor",
  "latencyFloorMs",
  "minRequests",
  "idleSec",
  "sticky",
] as const;

export interface CanarySettings extends AnalysisSettings {
  steps: number[];
  stepSec: number;
  stepRequests: number | null;
}

export const DEFAULT_STEPS = [5, 25, 50, 100];

export function resolveCanary(s: StrategySettings): CanarySettings {
  return {
    steps: s.steps ?? DEFAULT_STEPS,
    stepSec: s.stepSec ?? 60,
    stepRequests: s.stepRequests ?? null,
    maxErrorPct: s.maxErrorPct ?? DEFAULT_ANALYSIS.maxErrorPct,
    errorMarginPct: s.errorMarginPct ?? DEFAULT_ANALYSIS.errorMarginPct,
    latencyFactor: s.latencyFactor ?? DEFAULT_ANALYSIS.latencyFactor,
    latencyFloorMs: s.latencyFloorMs ?? DEFAULT_ANALYSIS.latencyFloorMs,
    minRequests: s.minRequests ?? DEFAULT_ANALYSIS.minRequests,
  };
}

const bad = (where: string, msg: string) =>
  new AppError("invalid_manifest", `${where.startsWith("yadokari.") ? "app.json: " : ""}${where}: ${msg}`);

export function parseStrategy(v: unknown, where: string): Strategy {
  if (typeof v !== "string" || !(STRATEGIES as readonly string[]).includes(v))
    throw bad(where, `must be one of ${STRATEGIES.join(", ")}`);
  return v as Strategy;
}

/** "5,25,50" or [5, 25, 50]: whole percents 1..100, ascending; 100 is added when missing. */
export function parseSteps(v: unknown, where: string): number[] {
  const list = typeof v === "string" ? v.split(",").map((x) => (x.trim() === "" ? NaN : Number(x.trim()))) : v;
  if (!Array.isArray(list) || list.length === 0 || list.length > 20)
    throw bad(where, "must be 1 to 20 percentages such as [5, 25, 50, 100]");
  const steps = list as unknown[];
  steps.forEach((p, i) => {
    if (typeof p !== "number" || !Number.isInteger(p) || p < 1 || p > 100)
      throw bad(`${where}[${i}]`, "must be a whole percentage from 1 to 100");
    if (i > 0 && p <= (steps[i - 1] as number))
      throw bad(`${where}[${i}]`, "must be above the step before it (steps rise to 100)");
  });
  const out = steps as number[];
  return out[out.length - 1] === 100 ? out : [...out, 100];
}

const number = (v: unknown, where: string, min: number, max: number, unit: string, integer = false): number => {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v)))
    throw bad(where, `must be ${integer ? "a whole number" : "a number"} of ${unit} from ${min} to ${max}`);
  return v;
};

/** The strategy keys of a deploy-settings object; other keys are the caller's. */
export function parseStrategySettings(d: Record<string, unknown>, where: string): StrategySettings {
  const out: StrategySettings = {};
  if (d.strategy !== undefined) out.strategy = parseStrategy(d.strategy, `${where}.strategy`);
  if (d.steps !== undefined) out.steps = parseSteps(d.steps, `${where}.steps`);
  if (d.stepSec !== undefined) out.stepSec = number(d.stepSec, `${where}.stepSec`, 1, 86400, "seconds");
  if (d.stepRequests !== undefined)
    out.stepRequests = number(d.stepRequests, `${where}.stepRequests`, 1, 1e9, "requests", true);
  if (d.maxErrorPct !== undefined) out.maxErrorPct = number(d.maxErrorPct, `${where}.maxErrorPct`, 0, 100, "percent");
  if (d.errorMarginPct !== undefined)
    out.errorMarginPct = number(d.errorMarginPct, `${where}.errorMarginPct`, 0, 100, "percentage points");
  if (d.latencyFactor !== undefined)
    out.latencyFactor = number(d.latencyFactor, `${where}.latencyFactor`, 1, 100, "times the old release's p95");
  if (d.latencyFloorMs !== undefined)
    out.latencyFloorMs = number(d.latencyFloorMs, `${where}.latencyFloorMs`, 0, 600000, "ms");
  if (d.minRequests !== undefined)
    out.minRequests = number(d.minRequests, `${where}.minRequests`, 1, 1e7, "requests", true);
  if (d.sticky !== undefined) {
    if (typeof d.sticky !== "boolean") throw bad(`${where}.sticky`, "must be true or false");
    out.sticky = d.sticky;
  }
  if (d.idleSec !== undefined) out.idleSec = number(d.idleSec, `${where}.idleSec`, 0, 86400, "seconds");
  return out;
}
