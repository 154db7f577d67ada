import type { Command } from "commander";
import type { DeployView, ProcessView } from "../../api/contract.js";
import { apiPath, usageError } from "../api-client.js";
import { renderTable } from "../output.js";
import { followDeploy } from "../follow-deploy.js";
import { appOption, type CliContext } from "./context.js";

/** `web=3 worker=2` → { web: 3, worker: 2 } (the server checks the types against the release). */
export function parseScaleArgs(args: string[]): Record<string, number> {
  if (args.length === 0) throw usageError("no process counts given.", "Example: yk ps:scale -a APP web=2 worker=1");
  const out: Record<string, number> = {};
  for (const a of args) {
    const m = /^([a-zA-Z0-9_-]+)=(\d{1,3})$/.exec(a);
    if (!m) throw usageError(`'${a}' is not TYPE=COUNT.`, "Example: yk ps:scale -a APP web=2 worker=1");
    out[m[1]] = Number(m[2]);
  }
  return out;
}

export function registerProcesses(program: Command, ctx: CliContext): void {
  program
    .command("ps:scale")
    .description("set how many containers run per process type (web=2 worker=1)")
    .addOption(appOption())
    .argument("<type=count...>")
    .action(async (args: string[], opts: { app: string }) => {
      const { formation } = await ctx
        .api()
        .json<{ formation: Record<string, number> }>(
          "PATCH",
          apiPath("apps", opts.app, "formation"),
          parseScaleArgs(args),
        );
      ctx.out(
        `Scaled ${opts.app}: ${Object.entries(formation)
          .map(([t, n]) => `${t}=${n}`)
          .join(" ")}\n`,
      );
    });

  program
    .command("ps:restart")
    .description("replace the app's containers (or one process type) with fresh ones, with zero downtime")
    .addOption(appOption())
    .argument("[type]")
    .action(async (type: string | undefined, opts: { app: string }) => {
      const api = ctx.api();
      const started = await api.json<DeployView>(
        "POST",
        apiPath("apps", opts.app, "ps", "restart"),
        type ? { type } : {},
      );
      await followDeploy(ctx, api, started);
      ctx.out(`Restarted ${opts.app}${type ? ` (${type})` : ""}\n`);
    });

  for (const [verb, what] of [
    ["stop", "stop every process of the app"],
    ["start", "start a stopped app at its formation"],
  ] as const) {
    program
      .command(`ps:${verb}`)
      .description(what)
      .addOption(appOption())
      .action(async (opts: { app: string }) => {
        await ctx.api().json("POST", apiPath("apps", opts.app, "ps", verb), {});
        ctx.out(`${verb === "stop" ? "Stopped" : "Started"} ${opts.app}\n`);
      });
  }
}

/** The summary `yk ps` prints above the containers: counts, restarts, crash loops. */
export function renderProcesses(p: { stopped: boolean; processes: ProcessView[] }, now: Date): string {
  if (p.processes.length === 0) return "";
  const state = (v: ProcessView) => {
    if (p.stopped) return "stopped";
    if (v.crashLoop)
      return `crash loop (exit ${v.lastExitCode ?? "?"}${v.backoffUntil ? `, next try in ${Math.max(0, Math.round((Date.parse(v.backoffUntil) - now.getTime()) / 1000))} s` : ""})`;
    return v.running >= v.quantity ? "ok" : `starting (${v.running}/${v.quantity})`;
  };
  return renderTable(
    ["type", "scale", "running", "restarts", "state", "command"],
    p.processes.map((v) => [
      v.type,
      String(v.quantity),
      String(v.running),
      String(v.restarts),
      state(v),
      v.command ?? "(image CMD)",
    ]),
  );
}
