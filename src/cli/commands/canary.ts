import type { Command } from "commander";
import type { CanaryStatusView } from "../../canary/control.js";
import type { Figures } from "../../metrics/series.js";
import { apiPath } from "../api-client.js";
import { renderFields, renderJson, renderTable } from "../output.js";
import { appOption, jsonOption, type CliContext } from "./context.js";

interface DeployStatus {
  app: string;
  deploy: { id: number; number: number; status: string; reason: string | null } | null;
  canary: CanaryStatusView | null;
}

const pct = (r: number) => `${(r * 100).toFixed(2)} %`;
const ms = (v: number | null) => (v === null ? "-" : `${v.toFixed(1)} ms`);
const row = (label: string, f: Figures) => [
  label,
  f.rps.toFixed(1),
  String(f.requests),
  String(f.errors5xx),
  String(f.connErrors),
  pct(f.errorRate),
  ms(f.p95Ms),
];

/** The canary's step, weights, both releases' figures and the time to the next step. */
export function renderDeployStatus(s: DeployStatus): string {
  const c = s.canary;
  const head = s.deploy
    ? `Deploy #${s.deploy.number}: ${s.deploy.status}${s.deploy.reason ? ` (${s.deploy.reason})` : ""}\n`
    : `${s.app} has no deploys yet.\n`;
  if (!c) return head + "No canary: the app's deploys roll (yk deploy:set -a APP --strategy canary).\n";
  const step =
    c.stepIndex < 0
      ? "starting the new containers"
      : `${c.stepIndex + 1} of ${c.steps.length} (${c.steps.join(", ")} %)`;
  const fields: [string, string][] = [
    ["Canary", `v${c.release} against v${c.previousRelease} (deploy #${c.deployNumber})`],
    ["State", `${c.state}${c.paused ? ", paused" : ""}`],
    ["Step", step],
    ["Traffic", `v${c.release} ${c.percent} %, v${c.previousRelease} ${100 - c.percent} %`],
    [
      "Weights",
      `${c.weights.new} on ${c.weights.newServers.length} new, ${c.weights.old} on ${c.weights.oldServers.length} old server(s)`,
    ],
    [
      "Next step",
      c.nextStepInSec === null
        ? c.paused
          ? "paused (yk deploy:resume)"
          : "-"
        : `in ${Math.ceil(c.nextStepInSec)} s (held ${Math.floor(c.heldSec ?? 0)} of ${c.stepSec} s)`,
    ],
  ];
  if (c.verdict) fields.push(["Analysis", c.verdict]);
  let out = head + renderFields(fields);
  if (c.figures) {
    out +=
      "\n" +
      renderTable(
        ["release", "req/s", "requests", "5xx", "conn err", "errors", "p95"],
        [row(`v${c.release} (new)`, c.figures.new), row(`v${c.previousRelease} (old)`, c.figures.old)],
      );
  }
  return out;
}

export function registerCanary(program: Command, ctx: CliContext): void {
  program
    .command("deploy:status")
    .description("the running (or last) canary: step, weights, live figures of both releases, time to the next step")
    .addOption(appOption())
    .addOption(jsonOption())
    .action(async (opts: { app: string; json?: boolean }) => {
      const s = await ctx.api().json<DeployStatus>("GET", apiPath("apps", opts.app, "deploy-status"));
      ctx.out(opts.json ? renderJson(s) : renderDeployStatus(s));
    });
  const actions = {
    pause: "hold the canary at its current step (bad numbers still abort it)",
    resume: "let a paused canary go on",
    promote: "skip the remaining steps: send every request to the new release, then retire the old one",
    abort: "stop the canary: the new release's weight goes to 0 at once and its containers are removed",
  } as const;
  for (const [action, description] of Object.entries(actions)) {
    program
      .command(`deploy:${action}`)
      .description(description)
      .addOption(appOption())
      .action(async (opts: { app: string }) => {
        const c = await ctx.api().json<CanaryStatusView>("POST", apiPath("apps", opts.app, "deploy", action));
        const done = {
          pause: "paused",
          resume: "resumed",
          promote: "promoted: going to 100 %",
          abort: "aborting: the new release's weight goes to 0",
        }[action as keyof typeof actions];
        ctx.out(`Canary of v${c.release} (deploy #${c.deployNumber}) ${done}\n`);
      });
  }
}
