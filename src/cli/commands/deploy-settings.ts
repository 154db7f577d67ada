import type { Command } from "commander";
import { apiPath, usageError } from "../api-client.js";
import { renderFields, renderJson } from "../output.js";
import { appOption, jsonOption, type CliContext } from "./context.js";

/**
 * `key=value` arguments → the same fields as the flags, so both spellings work for every setting:
 * `--max-surge 2`, `max-surge=2` and `maxSurge=2` (the API's name) are one thing. A bare number is
 * in the flag's unit (seconds for durations, ms for --latency-floor, percent for rates), which is also
 * the unit of the API name (stepSec, latencyFloorMs, maxErrorPct).
 */
const ARG_KEYS: Record<string, keyof StrategyFlags> = {
  maxSurge: "maxSurge",
  "max-surge": "maxSurge",
  pause: "pause",
  pauseSec: "pause",
  strategy: "strategy",
  steps: "steps",
  "step-duration": "stepDuration",
  stepSec: "stepDuration",
  "step-requests": "stepRequests",
  stepRequests: "stepRequests",
  "max-error-rate": "maxErrorRate",
  maxErrorPct: "maxErrorRate",
  "error-margin": "errorMargin",
  errorMarginPct: "errorMargin",
  "latency-factor": "latencyFactor",
  latencyFactor: "latencyFactor",
  "latency-floor": "latencyFloor",
  latencyFloorMs: "latencyFloor",
  "min-requests": "minRequests",
  minRequests: "minRequests",
  idle: "idle",
  idleSec: "idle",
  sticky: "sticky",
};

export function argsToFlags(args: string[]): StrategyFlags {
  const out: StrategyFlags = {};
  for (const a of args) {
    const eq = a.indexOf("=");
    const field = eq > 0 ? ARG_KEYS[a.slice(0, eq)] : undefined;
    if (!field || !Object.hasOwn(ARG_KEYS, a.slice(0, eq)))
      throw usageError(
        `'${a}' is not a deploy setting.`,
        "Use the flags ('yk deploy:set --help'), e.g. yk deploy:set -a APP --max-surge 25% --pause 5s; key=value works too (max-surge=25%).",
      );
    out[field] = a.slice(eq + 1);
  }
  return out;
}

/** `maxSurge=2 pauseSec=5` (or any setting as key=value) → the API's settings; the server validates. */
export function parseDeploySettingArgs(args: string[]): Record<string, unknown> {
  return strategyFlagsToSettings(argsToFlags(args));
}

/** "60s", "2m", "90" (seconds) → seconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m)
    throw usageError(
      `${flag} '${text}' is not a duration.`,
      `Use seconds or a unit: ${flag} 60s, ${flag} 2m, ${flag} 500ms.`,
    );
  const n = Number(m[1]);
  return m[2] === "ms" ? n / 1000 : m[2] === "m" ? n * 60 : m[2] === "h" ? n * 3600 : n;
}

const numberFlag = (text: string, flag: string): number => {
  const n = Number(text.replace(/%$/, ""));
  if (text.trim() === "" || !Number.isFinite(n))
    throw usageError(`${flag} '${text}' is not a number.`, `Example: ${flag} 1`);
  return n;
};

export interface StrategyFlags {
  maxSurge?: string;
  pause?: string;
  strategy?: string;
  steps?: string;
  stepDuration?: string;
  stepRequests?: string;
  maxErrorRate?: string;
  errorMargin?: string;
  latencyFactor?: string;
  latencyFloor?: string;
  minRequests?: string;
  idle?: string;
  sticky?: string;
}

/** The flags of deploy:set → the API's settings. The server validates ranges. */
export function strategyFlagsToSettings(f: StrategyFlags): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (f.maxSurge !== undefined) {
    const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(f.maxSurge.trim());
    if (!m)
      throw usageError(
        `--max-surge '${f.maxSurge}' is not a count or a percentage.`,
        "Example: --max-surge 2, or --max-surge 25%",
      );
    out.maxSurge = m[2] ? `${m[1]}%` : Number(m[1]);
  }
  if (f.pause !== undefined) out.pauseSec = parseDuration(f.pause, "--pause");
  if (f.strategy !== undefined) out.strategy = f.strategy;
  if (f.steps !== undefined) {
    const steps = f.steps.split(",").map((x) => x.trim().replace(/%$/, ""));
    if (steps.some((x) => !/^\d+$/.test(x)))
      throw usageError(`--steps '${f.steps}' is not a list of percentages.`, "Example: --steps 5,25,50,100");
    out.steps = steps.map(Number);
  }
  if (f.stepDuration !== undefined) out.stepSec = parseDuration(f.stepDuration, "--step-duration");
  if (f.stepRequests !== undefined) out.stepRequests = numberFlag(f.stepRequests, "--step-requests");
  if (f.maxErrorRate !== undefined) out.maxErrorPct = numberFlag(f.maxErrorRate, "--max-error-rate");
  if (f.errorMargin !== undefined) out.errorMarginPct = numberFlag(f.errorMargin, "--error-margin");
  if (f.latencyFactor !== undefined)
    out.latencyFactor = numberFlag(f.latencyFactor.replace(/x$/, ""), "--latency-factor");
  if (f.latencyFloor !== undefined)
    out.latencyFloorMs =
      parseDuration(f.latencyFloor.match(/^\d+(\.\d+)?$/) ? `${f.latencyFloor}ms` : f.latencyFloor, "--latency-floor") *
      1000;
  if (f.minRequests !== undefined) out.minRequests = numberFlag(f.minRequests, "--min-requests");
  if (f.idle !== undefined) out.idleSec = parseDuration(f.idle, "--idle");
  if (f.sticky !== undefined) {
    if (f.sticky !== "on" && f.sticky !== "off")
      throw usageError(`--sticky '${f.sticky}' is not on or off.`, "Use --sticky on or --sticky off.");
    out.sticky = f.sticky === "on";
  }
  return out;
}

export function registerDeploySettings(program: Command, ctx: CliContext): void {
  program
    .command("deploy:set")
    .description(
      "set deploy settings: maxSurge (count or %), pauseSec between batches; the strategy and the canary's steps and thresholds",
    )
    .addOption(appOption())
    .argument("[setting=value...]", "the same settings as key=value, e.g. max-surge=2 (or the API's maxSurge=2)")
    .option("--max-surge <n|n%>", "rolling: new web containers beyond the formation at a time (25%, at least 1)")
    .option("--pause <time>", "rolling: pause between batches (0s)")
    .option("--strategy <strategy>", "rolling (default), canary or blue-green")
    .option("--steps <list>", "canary: the new release's share per step, e.g. 5,25,50,100")
    .option("--step-duration <time>", "canary: how long each step is held (60s)")
    .option("--step-requests <n>", "canary: a step may end once the new release served n requests")
    .option("--max-error-rate <pct>", "canary: abort above this error rate, in percent (1)")
    .option("--error-margin <points>", "canary: abort above the old release's error rate plus this many points (1)")
    .option("--latency-factor <x>", "canary: abort when p95 is above the old release's times this (1.5)")
    .option("--latency-floor <ms>", "canary: no latency abort below this p95 (25ms)")
    .option("--min-requests <n>", "canary: requests of the new release before judging (100)")
    .option("--sticky <on|off>", "a cookie keeps each client on the server (so the release) it first reached")
    .option("--idle <time>", "blue-green: how long the old set stays idle for an instant switch back (300s)")
    .action(async (args: string[], opts: { app: string } & StrategyFlags) => {
      const fromArgs = argsToFlags(args);
      const { app, ...flags } = opts;
      for (const k of Object.keys(fromArgs) as (keyof StrategyFlags)[])
        if (flags[k] !== undefined)
          throw usageError(`${k} is given twice (as a flag and as key=value).`, "Give each setting once.");
      const body = strategyFlagsToSettings({ ...fromArgs, ...flags });
      if (Object.keys(body).length === 0)
        throw usageError(
          "no setting given.",
          "Example: yk deploy:set -a APP --max-surge 2 --pause 5s, or yk deploy:set -a APP --strategy canary --steps 5,25,50,100 --step-duration 60s",
        );
      const s = await ctx.api().json<Record<string, unknown>>("PATCH", apiPath("apps", app, "deploy-settings"), body);
      ctx.out(renderFields(Object.entries(s).map(([k, v]) => [k, String(v)])));
    });
  program
    .command("deploy:settings")
    .description("show rolling deploy settings (app.json yadokari.deploy applies where these are unset)")
    .addOption(appOption())
    .addOption(jsonOption())
    .action(async (opts: { app: string; json?: boolean }) => {
      const s = await ctx.api().json<Record<string, unknown>>("GET", apiPath("apps", opts.app, "deploy-settings"));
      if (opts.json) return ctx.out(renderJson(s));
      const rows = Object.entries(s).map(([k, v]) => [k, String(v)] as const);
      ctx.out(
        rows.length ? renderFields(rows) : "No settings: defaults apply (maxSurge 25% of web, at least 1; no pause).\n",
      );
    });
}
