import type { Command } from "commander";
import type { AppView } from "../../api/contract.js";
import { apiPath, normalizeUrl, usageError } from "../api-client.js";
import type { CliContext } from "./context.js";

/** Checks the URL shape only; whether a server answers there is asked of the server. */
export function checkLoginUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`'${url}' is not a URL.`, "Pass the API address with its scheme, e.g. yk login --url http://127.0.0.1:7700 --token TOKEN");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw usageError(`'${url}' is not an http(s) URL.`, "Pass the API address with its scheme, e.g. yk login --url http://127.0.0.1:7700 --token TOKEN");
  }
  return normalizeUrl(url);
}

export function registerLogin(program: Command, ctx: CliContext): void {
  program
    .command("login")
    .description("save the server URL and token (checked against the server first)")
    .requiredOption("--url <url>", "API URL, e.g. http://127.0.0.1:7700")
    .requiredOption("--token <token>", "admin token (in <data-dir>/admin-token on the server)")
    .action(async (opts: { url: string; token: string }) => {
      const cfg = { url: checkLoginUrl(opts.url), token: opts.token };
      // Verify before saving, so a typo never replaces working credentials.
      const apps = await ctx.api(cfg).json<AppView[]>("GET", apiPath("apps"));
      const path = await ctx.saveConfig(cfg);
      ctx.out(`Logged in to ${cfg.url} (${apps.length} app${apps.length === 1 ? "" : "s"}). Saved to ${path}\n`);
    });
}
