import { Option, type Command } from "commander";
import type { DeployView } from "../../api/contract.js";
import { isAppError } from "../../errors/app-error.js";
import { keyProblem, parseAssignments } from "../../config-vars/validate.js";
import { apiPath, usageError } from "../api-client.js";
import { followDeploy } from "../follow-deploy.js";
import { renderJson } from "../output.js";
import { appOption, jsonOption, type CliContext } from "./context.js";

/** null values: the server hides them from the viewer role */
type Config = Record<string, string | null>;
interface ConfigChangeResult {
  config: Config;
  deploy: DeployView | null;
}

/** Heroku's `KEY: value` view, values aligned; lines of a multi-line value are indented under it. */
export function renderConfig(app: string, config: Config): string {
  const keys = Object.keys(config);
  if (keys.length === 0) return `${app} has no config vars.\n`;
  const width = Math.max(...keys.map((k) => k.length + 1));
  const indent = " ".repeat(width + 1);
  const lines = keys.map((k) =>
    `${(k + ":").padEnd(width)} ${visible(config[k] ?? "(hidden: the viewer role cannot read values)")
      .split("\n")
      .join("\n" + indent)}`.trimEnd(),
  );
  return `=== ${app} Config Vars\n${lines.join("\n")}\n`;
}

/** Control characters other than newline and tab are shown escaped, so a value cannot drive the terminal. */
function visible(v: string): string {
  return v.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** `KEY=value` lines a POSIX shell reads back as the same values (`eval "$(yk config --shell)"`, or a .env file). */
export function renderShell(config: Config): string {
  return Object.entries(config)
    .map(([k, v]) => (v === null ? `# ${k} is hidden from the viewer role\n` : `${k}=${shellQuote(v)}\n`))
    .join("");
}

export function shellQuote(v: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(v)) return v;
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/** The shared rules, checked before anything is sent; a bad argument is a usage error (exit 2). */
function localCheck<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isAppError(e)) throw usageError(e.message, e.hint);
    throw e;
  }
}

function checkKeys(keys: string[]): void {
  for (const k of keys) {
    const p = keyProblem(k);
    if (p) throw usageError(p.message, p.hint);
  }
}

/** Sends a change and, when it made a release, follows its deploy like `yk deploy`: exit 0 only when it is live. */
async function change(
  ctx: CliContext,
  app: string,
  body: { set?: Config; unset?: string[]; restart: boolean },
  what: string,
): Promise<void> {
  const api = ctx.api();
  const res = await api.json<ConfigChangeResult>("PATCH", apiPath("apps", app, "config"), body);
  if (!body.restart) return ctx.out(`${what} on ${app} without a restart: the next deploy or config change uses it.\n`);
  if (!res.deploy) return ctx.out(`${what} on ${app}. It has no live release yet: the next deploy uses it.\n`);
  ctx.out(`${what} on ${app}; restarting it with deploy #${res.deploy.id}\n`);
  const d = await followDeploy(ctx, api, res.deploy);
  ctx.out(`Deploy #${d.id} succeeded${d.releaseVersion !== null ? `: release v${d.releaseVersion}` : ""}\n`);
}

const noRestart = () => new Option("--no-restart", "store the change only; the next deploy uses it");

export function registerConfig(program: Command, ctx: CliContext): void {
  program
    .command("config")
    .description("show an app's config vars")
    .addOption(appOption())
    .addOption(new Option("-s, --shell", "print KEY=value lines quoted for a POSIX shell").conflicts("json"))
    .addOption(jsonOption())
    .action(async (opts: { app: string; shell?: boolean; json?: boolean }) => {
      const config = await ctx.api().json<Config>("GET", apiPath("apps", opts.app, "config"));
      if (opts.json) return ctx.out(renderJson(config));
      ctx.out(opts.shell ? renderShell(config) : renderConfig(opts.app, config));
    });

  program
    .command("config:get")
    .description("print one config var's value")
    .addOption(appOption())
    .argument("<key>", "config var name")
    .action(async (key: string, opts: { app: string }) => {
      checkKeys([key]);
      const r = await ctx.api().json<{ key: string; value: string }>("GET", apiPath("apps", opts.app, "config", key));
      ctx.out(r.value + "\n");
    });

  program
    .command("config:set")
    .description("set config vars and redeploy the live release with zero downtime")
    .addOption(appOption())
    .argument("<assignments...>", "KEY=value pairs (split at the first '='; KEY= is empty)")
    .addOption(noRestart())
    .action(async (args: string[], opts: { app: string; restart: boolean }) => {
      const set = localCheck(() => parseAssignments(args));
      await change(
        ctx,
        opts.app,
        { set: Object.fromEntries(set), restart: opts.restart },
        `Set ${set.map(([k]) => k).join(", ")}`,
      );
    });

  program
    .command("config:unset")
    .description("unset config vars and redeploy the live release with zero downtime")
    .addOption(appOption())
    .argument("<keys...>", "config var names")
    .addOption(noRestart())
    .action(async (keys: string[], opts: { app: string; restart: boolean }) => {
      checkKeys(keys);
      await change(ctx, opts.app, { unset: keys, restart: opts.restart }, `Unset ${keys.join(", ")}`);
    });

  program
    .command("config:rotate-key")
    .description("make a new master key, re-encrypt every config var and release with it, drop the old one")
    .action(async () => {
      const r = await ctx.api().json<{ resealed: number; keyId: string }>("POST", apiPath("config", "rotate-key"));
      ctx.out(
        `Rotated the master key to ${r.keyId}: ${r.resealed} sealed values re-encrypted. Back up <data-dir>/master.key again.\n`,
      );
    });
}
