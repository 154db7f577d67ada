import type { Command } from "commander";
import type { DomainView } from "../../api/contract.js";
import { apiPath } from "../api-client.js";
import { renderJson, renderTable } from "../output.js";
import { appOption, jsonOption, type CliContext } from "./context.js";

export function registerDomains(program: Command, ctx: CliContext): void {
  program
    .command("domains")
    .description("list an app's domains")
    .addOption(appOption())
    .addOption(jsonOption())
    .action(async (opts: { app: string; json?: boolean }) => {
      const domains = await ctx.api().json<DomainView[]>("GET", apiPath("apps", opts.app, "domains"));
      if (opts.json) return ctx.out(renderJson(domains));
      if (domains.length === 0) return ctx.out(`${opts.app} has no domains.\n`);
      ctx.out(
        renderTable(
          ["hostname", "kind"],
          domains.map((d) => [d.hostname, d.kind]),
        ),
      );
    });

  program
    .command("domains:add")
    .description("route a hostname to an app")
    .addOption(appOption())
    .argument("<host>", "hostname, e.g. www.example.com")
    .action(async (host: string, opts: { app: string }) => {
      const d = await ctx.api().json<DomainView>("POST", apiPath("apps", opts.app, "domains"), { hostname: host });
      ctx.out(`Added ${d.hostname} to ${opts.app}. Point its DNS at this server.\n`);
    });

  program
    .command("domains:remove")
    .description("stop routing a hostname to an app")
    .addOption(appOption())
    .argument("<host>", "hostname")
    .action(async (host: string, opts: { app: string }) => {
      await ctx.api().json<{ removed: string }>("DELETE", apiPath("apps", opts.app, "domains", host));
      ctx.out(`Removed ${host} from ${opts.app}\n`);
    });
}
