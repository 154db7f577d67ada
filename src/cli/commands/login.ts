import type { Command } from "commander";
import type { AppView } from "../../api/contract.js";
import { apiPath, normalizeUrl, usageError } from "../api-client.js";
import type { CliContext } from "./context.js";
import { readStdinSecret } from "./accounts.js";

/** Checks the URL shape only; whether a server answers there is asked of the server. */
export function checkLoginUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(
      `'${url}' is not a URL.`,
      "Pass the API address with its scheme, e.g. yk login --url http://127.0.0.1:7700 --token TOKEN",
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw usageError(
      `'${url}' is not an http(s) URL.`,
      "Pass the API address with its scheme, e.g. yk login --url http://127.0.0.1:7700 --token TOKEN",
    );
  }
  return normalizeUrl(url);
}

export function registerLogin(
  program: Command,
  ctx: CliContext,
  readSecret: () => Promise<string> = () => readStdinSecret(),
): void {
  program
    .command("login")
    .description(
      "save the server URL and a token (checked against the server first); with --email, log in with a password and get a personal token",
    )
    .requiredOption("--url <url>", "API URL, e.g. http://127.0.0.1:7700")
    .option("--token <token>", "an API token (the admin token is in <data-dir>/admin-token on the server)")
    .option("--email <email>", "log in as this user; the password is read from stdin (--password-stdin)")
    .option("--password-stdin", "read the password from stdin (with --email)")
    .action(async (opts: { url: string; token?: string; email?: string; passwordStdin?: boolean }) => {
      const url = checkLoginUrl(opts.url);
      if (!opts.token === !opts.email)
        throw usageError(
          "Pass either --token or --email.",
          'yk login --url URL --token TOKEN, or: echo "$PASSWORD" | yk login --url URL --email EMAIL --password-stdin',
        );
      let token = opts.token;
      if (opts.email) {
        if (!opts.passwordStdin)
          throw usageError(
            "--email needs --password-stdin (a password never goes on the command line).",
            'echo "$PASSWORD" | yk login --url URL --email EMAIL --password-stdin',
          );
        const password = await readSecret();
        const r = await ctx.api({ url, token: null }).json<{ token: string }>("POST", apiPath("session"), {
          email: opts.email,
          password,
          token: `cli ${ctx.now().toISOString().slice(0, 10)}`,
        });
        token = r.token;
      }
      const cfg = { url, token: token! };
      // Verify before saving, so a typo never replaces working credentials.
      const apps = await ctx.api(cfg).json<AppView[]>("GET", apiPath("apps"));
      const path = await ctx.saveConfig(cfg);
      ctx.out(`Logged in to ${cfg.url} (${apps.length} app${apps.length === 1 ? "" : "s"}). Saved to ${path}\n`);
    });
}
