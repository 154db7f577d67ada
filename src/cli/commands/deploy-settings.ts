import type { Command } from "commander";
import { apiPath, usageError } from "../api-client.js";
import { renderFields, renderJson } from "../output.js";
import { appOption, jsonOption, type CliContext } from "./context.js";

/** `maxSurge=2 pauseSec=5` → { maxSurge: 2, pauseSec: 5 }; "25%" stays a string. The server validates. */
export function parseDeploySettingArgs(args: string[]): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const a of args) {
    const m = /^(maxSurge|pauseSec)=(\d+(?:\.\d+)?%?)$/.exec(a);
    if (!m) throw usageError(`'${a}' is not a deploy setting.`, "Use maxSurge=N, maxSurge=N% or pauseSec=SECONDS, e.g. yk deploy:set -a APP maxSurge=25% pauseSec=5");
    out[m[1]] = m[2].endsWith("%") ? m[2] : Number(m[2]);
  }
  if (Object.keys(out).length === 0) throw usageError("no setting given.", "Example: yk deploy:set -a APP maxSurge=2 pauseSec=5");
  return out;
}

export function registerDeploySettings(program: Command, ctx: CliContext): void {
  program
    .command("deploy:set")
    .description("set rolling deploy settings: maxSurge (count or %), pauseSec between batches")
    .addOption(appOption())
    .argument("<setting=value...>")
    .action(async (args: string[], opts: { app: string }) => {
      const s = await ctx.api().json<Record<string, unknown>>("PATCH", apiPath("apps", opts.app, "deploy-settings"), parseDeploySettingArgs(args));
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
      ctx.out(rows.length ? renderFields(rows) : "No settings: defaults apply (maxSurge 25% of web, at least 1; no pause).\n");
    });
}
