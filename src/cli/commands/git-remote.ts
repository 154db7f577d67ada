import { realpathSync } from "node:fs";
import { Option, type Command } from "commander";
import type { AppView } from "../../api/contract.js";
import { run } from "../../lib/run.js";
import { apiPath, CliError, resolveConfig, usageError, type ClientConfig } from "../api-client.js";
import { appOption, type CliContext } from "./context.js";

/**
 * `yk git:remote` and `yk git:credential`: a git remote for an app whose
 * password git asks `yk` for (git's credential-helper protocol), so the
 * token stays in the CLI's own config and never lands in `.git/config`.
 * The helper is configured for the remote's URL only
 * (`credential.<url>.helper`), after an empty entry that keeps any other
 * helper (a `store` that would write the token to ~/.git-credentials) out.
 */

/** git's credential request: `key=value` lines up to a blank line (gitcredentials(7)). */
export function parseCredentialRequest(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (line.trim() === "") break;
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1).replace(/\r$/, "");
  }
  return out;
}

/** The answer to `get`: the token for the configured server only; nothing (git goes on asking elsewhere) otherwise. */
export function credentialAnswer(req: Record<string, string>, cfg: ClientConfig): string {
  if (!cfg.token) return "";
  let server: URL;
  try {
    server = new URL(cfg.url);
  } catch {
    return "";
  }
  if (req.protocol !== server.protocol.replace(/:$/, "") || req.host !== server.host) return "";
  return `username=yk\npassword=${cfg.token}\n`;
}

/** A POSIX-shell word: git runs a `!` helper through the shell. */
const shellWord = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** How git should start this very CLI: node and the script, by absolute path, so no PATH is needed. */
export function helperCommand(node: string, script: string): string {
  return `!${shellWord(node)} ${shellWord(script)} git:credential`;
}

export interface GitIo {
  git(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  readStdin(): Promise<string>;
  helper: string;
}

export const processGitIo = (): GitIo => ({
  git: (args) => run("git", args, { timeoutMs: 30_000 }),
  readStdin: async () => {
    let text = "";
    for await (const chunk of process.stdin) text += chunk.toString();
    return text;
  },
  helper: helperCommand(process.execPath, realpathSync(process.argv[1])),
});

export function registerGitRemote(program: Command, ctx: CliContext, makeIo: () => GitIo = processGitIo): void {
  program
    .command("git:remote")
    .description("add (or update) a git remote for the app in this repository; yk gives git your token when it asks")
    .addOption(appOption())
    .addOption(new Option("-r, --remote <name>", "the remote's name").default("yadokari"))
    .action(async (opts: { app: string; remote: string }) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(opts.remote))
        throw usageError(
          `'${opts.remote}' is not a remote name yk makes.`,
          "Use letters, digits, '.', '_' and '-', e.g. --remote yadokari.",
        );
      const io = makeIo();
      const inRepo = await io.git(["rev-parse", "--git-dir"]);
      if (inRepo.code !== 0)
        throw new CliError(
          "not_a_repository",
          "This directory is not in a git repository.",
          "Run yk git:remote from your app's repository (git init first for a new one).",
        );
      const app = await ctx.api().json<AppView>("GET", apiPath("apps", opts.app));
      const url = app.gitUrl;
      const exists = (await io.git(["remote", "get-url", "--", opts.remote])).code === 0;
      const change = await io.git(
        exists ? ["remote", "set-url", "--", opts.remote, url] : ["remote", "add", "--", opts.remote, url],
      );
      if (change.code !== 0)
        throw new CliError(
          "git_failed",
          `git remote failed: ${change.stderr.trim()}`,
          "Check the repository with 'git remote -v'.",
        );
      const key = `credential.${url}.helper`;
      await io.git(["config", "--local", "--unset-all", key]); // none yet is fine
      for (const value of ["", io.helper]) {
        const r = await io.git(["config", "--local", "--add", key, value]);
        if (r.code !== 0)
          throw new CliError(
            "git_failed",
            `git config failed: ${r.stderr.trim()}`,
            "Check the repository's .git/config.",
          );
      }
      ctx.out(
        `${exists ? "Updated" : "Added"} the git remote ${opts.remote}: ${url}\n` +
          `git asks yk for your token when it pushes; no token is written into this repository.\n` +
          `Deploy with: git push ${opts.remote} main\n`,
      );
    });

  program
    .command("git:credential")
    .description("git's credential helper (set up by git:remote): answers with your token for the Yadokari server")
    .argument("<operation>", "get, store or erase (git passes it)")
    .action(async (operation: string) => {
      // store and erase: the token lives in yk's own config, there is nothing to store or forget
      if (operation !== "get") return;
      const req = parseCredentialRequest(await makeIo().readStdin());
      ctx.out(credentialAnswer(req, resolveConfig(ctx.env)));
    });
}
