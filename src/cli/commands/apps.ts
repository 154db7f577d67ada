import type { Command } from "commander";
import type { AppView } from "../../api/contract.js";
import { apiPath, usageError } from "../api-client.js";
import { relativeTime, renderFields, renderJson, renderTable } from "../output.js";
import { appOption, jsonOption, type CliContext } from "./context.js";

/** Destroying is irreversible, so the name must be typed twice, as on Heroku. */
export function checkDestroyConfirm(app: string, confirm: string | undefined): void {
  const again = `yk apps:destroy ${app} --confirm ${app}`;
  if (confirm === undefined) {
    throw usageError(
      `Refusing to destroy '${app}' without --confirm.`,
      `This deletes the app, its releases, containers and domains. To go ahead run: ${again}`,
    );
  }
  if (confirm !== app) {
    throw usageError(
      `--confirm '${confirm}' does not match the app name '${app}'; nothing was destroyed.`,
      `To destroy '${app}' run: ${again}`,
    );
  }
}

const release = (v: number | null) => (v === null ? "-" : `v${v}`);

/** Every hostname the app answers at, the default one marked: an app without custom domains still has one. */
export function domainsLine(app: Pick<AppView, "urls" | "domains">): string {
  const hosts = app.urls.map((u) => {
    try {
      return new URL(u).hostname;
    } catch {
      return u;
    }
  });
  return hosts.map((h) => (app.domains.includes(h) ? h : `${h} (default)`)).join(", ") || "-";
}

export function registerApps(program: Command, ctx: CliContext): void {
  program
    .command("apps")
    .description("list apps")
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const apps = await ctx.api().json<AppView[]>("GET", apiPath("apps"));
      if (opts.json) return ctx.out(renderJson(apps));
      if (apps.length === 0) return ctx.out("No apps yet. Create one with: yk apps:create NAME\n");
      const now = ctx.now();
      const rows = apps.map((a) => [
        a.name,
        a.status,
        release(a.liveRelease),
        String(a.webReplicas),
        a.urls[0] ?? "-",
        relativeTime(a.createdAt, now),
      ]);
      // Review apps show their parent; the column appears only when there are some.
      if (apps.some((a) => a.reviewOf))
        return ctx.out(
          renderTable(
            ["name", "status", "release", "web", "url", "created", "review of"],
            rows.map((r, i) => [
              ...r,
              apps[i].reviewOf ? `${apps[i].reviewOf!.parent} (${apps[i].reviewOf!.branch})` : "",
            ]),
          ),
        );
      ctx.out(renderTable(["name", "status", "release", "web", "url", "created"], rows));
    });

  program
    .command("apps:create")
    .description("create an app")
    .argument("<name>", "app name: a lowercase DNS label")
    .addOption(jsonOption())
    .action(async (name: string, opts: { json?: boolean }) => {
      const app = await ctx.api().json<AppView>("POST", apiPath("apps"), { name });
      if (opts.json) return ctx.out(renderJson(app));
      ctx.out(
        `Created ${app.name}\n` +
          renderFields([
            ["URL", app.urls.join(", ") || "-"],
            ["Git", app.gitUrl],
          ]) +
          `Deploy with: yk deploy -a ${app.name} [DIR]\n`,
      );
    });

  program
    .command("apps:info")
    .description("show an app")
    .addOption(appOption())
    .addOption(jsonOption())
    .action(async (opts: { app: string; json?: boolean }) => {
      const app = await ctx.api().json<AppView>("GET", apiPath("apps", opts.app));
      if (opts.json) return ctx.out(renderJson(app));
      ctx.out(
        renderFields([
          ["Name", app.name],
          ["Status", app.status],
          ["Release", release(app.liveRelease)],
          ["Web replicas", String(app.webReplicas)],
          ["URLs", app.urls.join(", ") || "-"],
          ["Domains", domainsLine(app)],
          ["Git", app.gitUrl],
          ["Created", `${app.createdAt} (${relativeTime(app.createdAt, ctx.now())})`],
        ]),
      );
    });

  program
    .command("apps:destroy")
    .description("destroy an app and everything it runs (needs --confirm APP)")
    .argument("<app>", "app name")
    .option("--confirm <app>", "the app name again, to confirm")
    .action(async (app: string, opts: { confirm?: string }) => {
      checkDestroyConfirm(app, opts.confirm);
      await ctx.api().json<{ destroyed: string }>("DELETE", apiPath("apps", app));
      ctx.out(`Destroyed ${app}\n`);
    });
}
