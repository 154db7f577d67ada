import type { Command } from "commander";
import type { ContainerView, ProcessView } from "../../api/contract.js";
import { renderProcesses } from "./processes.js";
import { apiPath } from "../api-client.js";
import { renderJson, renderTable } from "../output.js";
import { appOption, jsonOption, type CliContext } from "./context.js";

export function registerPs(program: Command, ctx: CliContext): void {
  program
    .command("ps")
    .description("list an app's process types (scale, restarts, crash loops) and containers")
    .addOption(appOption())
    .addOption(jsonOption())
    .action(async (opts: { app: string; json?: boolean }) => {
      const api = ctx.api();
      const [containers, processes] = await Promise.all([
        api.json<ContainerView[]>("GET", apiPath("apps", opts.app, "ps")),
        api.json<{ stopped: boolean; processes: ProcessView[] }>("GET", apiPath("apps", opts.app, "formation")),
      ]);
      if (opts.json) return ctx.out(renderJson({ ...processes, containers }));
      const summary = renderProcesses(processes, ctx.now());
      if (summary) ctx.out(summary + "\n");
      if (containers.length === 0) return ctx.out(`${opts.app} has no containers.\n`);
      ctx.out(
        renderTable(
          ["name", "process", "release", "state", "status", "address", "routed"],
          containers.map((c) => [
            c.name,
            c.process,
            `v${c.release}`,
            containerState(c),
            c.status,
            c.address ?? "-",
            c.routed ? "yes" : "no",
          ]),
        ),
      );
    });
}

/** Docker's state, except that an exited container says how it ended: a detached `yk run` that exited 0 succeeded. */
export function containerState(c: Pick<ContainerView, "state" | "exitCode">): string {
  if (c.state !== "exited") return c.state;
  return c.exitCode === 0 ? "succeeded" : `failed (exit ${c.exitCode ?? "?"})`;
}
