import { Option, type Command } from "commander";
import { apiPath, usageError } from "../api-client.js";
import { relativeTime, renderJson, renderTable } from "../output.js";
import { jsonOption, type CliContext } from "./context.js";
import type { UserView } from "../../accounts/types.js";
import type { TokenView } from "../../accounts/accounts.js";

/** Reads a secret piped on stdin (`--password-stdin`), like `docker login`: never from argv, where `ps` shows it. */
export async function readStdinSecret(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  if ((stdin as { isTTY?: boolean }).isTTY)
    throw usageError(
      "--password-stdin reads the password from a pipe, not a terminal.",
      'echo "$PASSWORD" | yk … --password-stdin, or leave it out to get a generated one.',
    );
  let text = "";
  for await (const chunk of stdin) text += chunk.toString();
  return text.replace(/\r?\n$/, "");
}

/** "--apps web,api" or "--apps '*'" → the API's apps field. */
export function parseAppsFlag(flag: string | undefined): string[] | "*" | undefined {
  if (flag === undefined) return undefined;
  if (flag.trim() === "*") return "*";
  return flag
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
}

const roleOption = () =>
  new Option("--role <role>", "admin, deployer or viewer").choices(["admin", "deployer", "viewer"]);
const appsOption = () =>
  new Option("--apps <apps>", "apps granted, comma-separated, or '*' for every app (deployer, viewer)");
const showApps = (apps: string[] | "*") => (apps === "*" ? "*" : apps.join(",") || "(none)");

export function registerAccounts(
  program: Command,
  ctx: CliContext,
  readSecret: () => Promise<string> = () => readStdinSecret(),
): void {
  program
    .command("whoami")
    .description("show who the saved token or YADOKARI_TOKEN belongs to, with role and apps")
    .action(async () => {
      const me = await ctx.api().json<{ name: string; role: string; apps: string[] | "*" }>("GET", apiPath("me"));
      ctx.out(`${me.name} (${me.role}; apps: ${showApps(me.apps)})\n`);
    });

  program
    .command("users")
    .description("list users (admin)")
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const users = await ctx.api().json<UserView[]>("GET", apiPath("users"));
      if (opts.json) return ctx.out(renderJson(users));
      if (users.length === 0) return ctx.out("No users yet. Add one with: yk users:add EMAIL --role admin\n");
      ctx.out(
        renderTable(
          ["email", "role", "apps", "added", "by"],
          users.map((u) => [u.email, u.role, showApps(u.apps), relativeTime(u.createdAt, ctx.now()), u.createdBy]),
        ),
      );
    });

  program
    .command("users:add")
    .description("add a user (admin); prints a generated initial password once unless --password-stdin gives one")
    .argument("<email>", "the user's email address")
    .addOption(roleOption().makeOptionMandatory())
    .addOption(appsOption())
    .option("--password-stdin", "read the initial password from stdin")
    .action(async (email: string, opts: { role: string; apps?: string; passwordStdin?: boolean }) => {
      const body = {
        email,
        role: opts.role,
        ...(opts.apps !== undefined ? { apps: parseAppsFlag(opts.apps) } : {}),
        ...(opts.passwordStdin ? { password: await readSecret() } : {}),
      };
      const r = await ctx.api().json<{ user: UserView; initialPassword?: string }>("POST", apiPath("users"), body);
      ctx.out(`Added ${r.user.email} as ${r.user.role} (apps: ${showApps(r.user.apps)}).\n`);
      if (r.initialPassword)
        ctx.out(`Initial password (shown once; give it to them over a safe channel):\n${r.initialPassword}\n`);
    });

  program
    .command("users:update")
    .description(
      "change a user's role, apps or password (admin); a new role or password ends their browser sessions, a new password revokes their API tokens",
    )
    .argument("<email>", "the user's email address")
    .addOption(roleOption())
    .addOption(appsOption())
    .option("--password-stdin", "read a new password from stdin (revokes the user's API tokens)")
    .option("--keep-tokens", "with --password-stdin: keep the user's API tokens")
    .action(
      async (email: string, opts: { role?: string; apps?: string; passwordStdin?: boolean; keepTokens?: boolean }) => {
        if (opts.keepTokens && !opts.passwordStdin)
          throw usageError("--keep-tokens goes with --password-stdin.", "Only a new password revokes tokens.");
        const body = {
          ...(opts.role ? { role: opts.role } : {}),
          ...(opts.apps !== undefined ? { apps: parseAppsFlag(opts.apps) } : {}),
          ...(opts.passwordStdin ? { password: await readSecret() } : {}),
          ...(opts.keepTokens ? { keepTokens: true } : {}),
        };
        if (Object.keys(body).length === 0)
          throw usageError("Nothing to change.", "Pass --role, --apps or --password-stdin.");
        const u = await ctx.api().json<UserView & { tokensRevoked?: number }>("PATCH", apiPath("users", email), body);
        ctx.out(`Updated ${u.email}: ${u.role} (apps: ${showApps(u.apps)}).\n`);
        if (u.tokensRevoked)
          ctx.out(
            `${u.tokensRevoked} API token${u.tokensRevoked === 1 ? " was" : "s were"} revoked with the old password: ${u.email} logs in again (yk login).\n`,
          );
      },
    );

  program
    .command("users:remove")
    .description("remove a user with their tokens and sessions (admin)")
    .argument("<email>", "the user's email address")
    .requiredOption("--confirm <email>", "the same email again")
    .action(async (email: string, opts: { confirm: string }) => {
      if (opts.confirm.toLowerCase() !== email.toLowerCase())
        throw usageError(
          `--confirm ${opts.confirm} does not match ${email}.`,
          `Run: yk users:remove ${email} --confirm ${email}`,
        );
      const r = await ctx.api().json<{ removed: string }>("DELETE", apiPath("users", email));
      ctx.out(`Removed ${r.removed}, their tokens and sessions.\n`);
    });

  program
    .command("tokens")
    .description("list your personal API tokens")
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const tokens = await ctx.api().json<TokenView[]>("GET", apiPath("tokens"));
      if (opts.json) return ctx.out(renderJson(tokens));
      if (tokens.length === 0)
        return ctx.out("You have no personal tokens. Create one with: yk tokens:create --name NAME\n");
      ctx.out(
        renderTable(
          ["id", "name", "created", "last used"],
          tokens.map((t) => [
            String(t.id),
            t.name,
            relativeTime(t.createdAt, ctx.now()),
            t.lastUsedAt ? relativeTime(t.lastUsedAt, ctx.now()) : "never",
          ]),
        ),
      );
    });

  program
    .command("tokens:create")
    .description("create a personal API token; it is printed once, alone on the last line")
    .option("--name <name>", "what it is for, e.g. ci", "token")
    .action(async (opts: { name: string }) => {
      const t = await ctx.api().json<TokenView & { token: string }>("POST", apiPath("tokens"), { name: opts.name });
      ctx.out(`Created token ${t.id} (${t.name}). It is shown once; store it now:\n${t.token}\n`);
    });

  program
    .command("tokens:revoke")
    .description("revoke one of your personal tokens")
    .argument("<id>", "the token's id ('yk tokens' lists them)")
    .action(async (id: string) => {
      if (!/^[1-9]\d{0,15}$/.test(id))
        throw usageError(`'${id}' is not a token id.`, "'yk tokens' lists your tokens with their ids.");
      await ctx.api().json("DELETE", apiPath("tokens", id));
      ctx.out(`Revoked token ${id}.\n`);
    });

  program
    .command("audit")
    .description("the audit log, newest first (admin): who changed what, when, from where, and whether it worked")
    .option("-a, --app <app>", "only this app")
    .option("-n, --num <n>", "how many entries (1 to 1000)", "50")
    .option("--before <id>", "older entries: those before this entry id (the last line says which to pass)")
    .addOption(jsonOption())
    .action(async (opts: { app?: string; num: string; before?: string; json?: boolean }) => {
      if (!/^\d{1,4}$/.test(opts.num) || Number(opts.num) < 1 || Number(opts.num) > 1000)
        throw usageError(`-n ${opts.num}: give a number from 1 to 1000.`, "yk audit -n 100");
      if (opts.before !== undefined && !/^[1-9]\d{0,15}$/.test(opts.before))
        throw usageError(
          `--before ${opts.before} is not an entry id.`,
          "Pass the id the last page ended with: yk audit --before ID",
        );
      const q = new URLSearchParams({
        limit: opts.num,
        ...(opts.app ? { app: opts.app } : {}),
        ...(opts.before ? { before: opts.before } : {}),
      });
      const entries = await ctx.api().json<AuditView[]>("GET", `${apiPath("audit")}?${q}`);
      if (opts.json) return ctx.out(renderJson(entries));
      if (entries.length === 0) return ctx.out(opts.before ? "No older audit entries.\n" : "No audit entries.\n");
      ctx.out(renderAudit(entries, ctx.now()));
      if (entries.length === Number(opts.num)) {
        const more = [`yk audit`, opts.app ? `-a ${opts.app}` : "", `-n ${opts.num}`, `--before ${entries.at(-1)!.id}`];
        ctx.out(`Older entries: ${more.filter(Boolean).join(" ")}\n`);
      }
    });
}

export interface AuditView {
  id: number;
  at: string;
  actor: string;
  action: string;
  summary: string;
  app: string | null;
  ip: string;
  status: number;
  ok: boolean;
}

/** One line per entry: id (for --before), when, who, what happened in words, app, and a failure when it failed. */
export function renderAudit(entries: AuditView[], now: Date): string {
  return renderTable(
    ["id", "when", "who", "what", "app", "result"],
    entries.map((e) => [
      String(e.id),
      `${e.at.slice(0, 16).replace("T", " ")} (${relativeTime(e.at, now)})`,
      e.actor,
      e.summary || e.action,
      e.app ?? "",
      e.ok ? "ok" : `FAILED ${e.status}`,
    ]),
  );
}
