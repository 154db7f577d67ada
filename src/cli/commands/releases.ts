import type { Command } from "commander";
import type { DeployView, ReleaseView } from "../../api/contract.js";
import { followDeploy } from "../follow-deploy.js";
import { apiPath } from "../api-client.js";
import { relativeTime, renderFields, renderJson, renderTable } from "../output.js";
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
      if (releases.length === 0)
        return ctx.out(`${opts.app} has no releases yet. Deploy with: yk deploy -a ${opts.app} [DIR]\n`);
      const now = ctx.now();
      ctx.out(
        renderTable(
          ["version", "status", "commit", "image", "description", "created"],
          releases.map((r) => [
            `v${r.version}`,
            statusWords(r),
            r.commit ? r.commit.slice(0, 8) : "-",
            r.imageAvailable ? r.image : `${r.image} (removed)`,
            r.description,
            relativeTime(r.createdAt, now),
          ]),
        ),
      );
    });

  program
    .command("releases:info")
    .description("show one release: image, config var names, formation, release command, cron")
    .addOption(appOption())
    .addOption(jsonOption())
    .argument("<version>", "v7 or 7")
    .action(async (version: string, opts: { app: string; json?: boolean }) => {
      const r = await ctx.api().json<ReleaseInfo>("GET", apiPath("apps", opts.app, "releases", version));
      if (opts.json) return ctx.out(renderJson(r));
      ctx.out(
        renderFields([
          ["Version", `v${r.version}`],
          ["Status", statusWords(r)],
          ["Description", r.description],
          ["Image", `${r.image}${r.imageAvailable ? "" : " (removed: rollback impossible)"}`],
          ["Commit", r.commit ?? "-"],
          ["Config vars", r.configKeys.join(", ") || "-"],
          [
            "Formation",
            Object.entries(r.formation)
              .map(([t, n]) => `${t}=${n}`)
              .join(" ") || "-",
          ],
          [
            "Processes",
            Object.entries(r.processes)
              .map(([t, c]) => `${t}: ${c ?? "(image CMD)"}`)
              .join("; "),
          ],
          ["Release command", r.releaseCommand ?? "-"],
          ["Cron", r.cron.map((j) => `${j.name} (${j.schedule})`).join(", ") || "-"],
          ["Created", `${r.createdAt} (${relativeTime(r.createdAt, ctx.now())})`],
        ]),
      );
    });

  program
    .command("rollback")
    .description(
      "make a new release copying vN (default: the release live before the live one) and deploy it with zero downtime",
    )
    .addOption(appOption())
    .option("--force", "roll back to a release that never went live")
    .argument("[version]", "v7 or 7")
    .action(async (version: string | undefined, opts: { app: string; force?: boolean }) => {
      const api = ctx.api();
      const started = await api.json<DeployView>("POST", apiPath("apps", opts.app, "rollback"), {
        ...(version ? { version } : {}),
        ...(opts.force ? { force: true } : {}),
      });
      const d = await followDeploy(ctx, api, started);
      ctx.out(`Rolled back: v${d.releaseVersion} is live\n`);
      for (const url of d.urls) ctx.out(`Live at ${url}\n`);
    });
}

interface ReleaseInfo extends ReleaseView {
  configKeys: string[];
  formation: Record<string, number>;
  releaseCommand: string | null;
  cron: { name: string; schedule: string }[];
}

/** "live", "previously live", "never live: failed at gate web-1 (health_check_failed)", "deploying (#12)". */
export function statusWords(r: ReleaseView): string {
  const d = r.deploy;
  switch (r.status) {
    case "live":
      return "live";
    case "previously-live":
      return "previously live";
    case "deploying":
      return d ? `deploying (#${d.id})` : "deploying";
    case "never-live":
      if (d?.status === "failed")
        return `never live: failed${d.failedStep ? ` at ${d.failedStep}` : ""}${d.errorCode ? ` (${d.errorCode})` : ""}`;
      if (d?.status === "superseded") return "never live: superseded";
      return "never live";
  }
}
