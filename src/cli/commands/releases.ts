import type { Command } from "commander";
import type { ReleaseView } from "../../api/contract.js";
import { apiPath } from "../api-client.js";
import { relativeTime, renderJson, renderTable } from "../output.js";
import { appOption, jsonOption, type CliContext } from "./context.js";

export function registerReleases(program: Command, ctx: CliContext): void {
  program
    .command("releases")
    .description("list an app's releases, newest first")
    .addOption(appOption())
    .addOption(jsonOption())
    .action(async (opts: { app: string; json?: boolean }) => {
      const releases = await ctx.api().json<ReleaseView[]>("GET", apiPath("apps", opts.app, "releases"));
      if (opts.json) return ctx.out(renderJson(releases));
      if (releases.length === 0) return ctx.out(`${opts.app} has no releases yet. Deploy with: yk deploy -a ${opts.app} [DIR]\n`);
      const now = ctx.now();
      ctx.out(renderTable(
        ["version", "live", "commit", "image", "description", "created"],
        releases.map((r) => [`v${r.version}`, r.live ? "*" : "", r.commit ? r.commit.slice(0, 8) : "-", r.image, r.description, relativeTime(r.createdAt, now)]),
      ));
    });
}
