import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { CliError, HttpApi, resolveConfig, saveConfig } from "../cli/api-client.js";
import { registerCommands } from "../cli/commands/index.js";
import type { CliContext } from "../cli/commands/context.js";
import { loadSettings, printConfig, SETTINGS, settingNames, type SettingName } from "./settings.js";

/**
 * The composition root of `yk`: wires the real HTTP client, stdout and clock
 * into the command groups, runs the program, and is the one place errors are
 * printed (`Error:` then `Hint:` on stderr; exit 1, or 2 for usage errors).
 */

function version(): string {
  try {
    // dist/src/main/cli.js → package.json at the repository root.
    return (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string })
      .version;
  } catch {
    return "unknown";
  }
}

function registerServer(program: Command): void {
  const cmd = program
    .command("server")
    .description("run the Yadokari server: API, router control, builds and deploys (settings: docs/settings.md)")
    .option("--print-config", "print every setting with where it came from (secrets masked), then exit");
  // The flags are the settings that have one; each also reads its YADOKARI_* variable (src/main/settings.ts).
  for (const name of settingNames) {
    const d = SETTINGS[name];
    if ("flag" in d && d.flag)
      cmd.addOption(new Option(`${d.flag} <value>`, `${d.description} (${d.allowed}; env ${d.env})`));
  }
  cmd.action(async (flags: Partial<Record<SettingName, string>> & { printConfig?: boolean }) => {
    const { printConfig: print, ...given } = flags;
    // Read once, here: a wrong value stops the server before anything starts.
    const { settings, sources } = loadSettings(given, process.env);
    if (print) {
      process.stdout.write(printConfig(settings, sources));
      return;
    }
    // Loaded on demand so client commands never load the server's dependencies (SQLite, Docker).
    const { runServer } = await import("./server.js");
    await runServer(settings);
  });
}

function buildProgram(ctx: CliContext): Command {
  const program = new Command("yk")
    .description("Yadokari: deploy apps from a directory or git push, behind HAProxy, with zero downtime")
    .version(version(), "-V, --version")
    .option("--debug", "print stack traces with errors")
    // Set before the subcommands are added: they inherit these settings.
    .exitOverride()
    .allowExcessArguments(false)
    .showSuggestionAfterError()
    .configureOutput({ outputError: () => {} }); // commander's own error line is replaced by ours in report()
  registerCommands(program, ctx);
  registerServer(program);
  return program;
}

/** Prints an error once and returns the exit code. */
function report(e: unknown, debug: boolean): number {
  const print = (message: string, hint: string) => {
    process.stderr.write(`Error: ${message}\n`);
    if (hint) process.stderr.write(`Hint: ${hint}\n`);
    if (debug && e instanceof Error)
      process.stderr.write(
        `\n${e.stack ?? ""}\n${e.cause ? `Caused by: ${(e.cause as Error).stack ?? String(e.cause)}\n` : ""}`,
      );
  };
  if (e instanceof CommanderError) {
    // Help and --version also arrive here because of exitOverride().
    if (["commander.helpDisplayed", "commander.help", "commander.version"].includes(e.code))
      return e.exitCode === 0 ? 0 : 2;
    const message = e.message.replace(/^error: /, "");
    const hint = message.includes("--app")
      ? "Pass -a APP or set YADOKARI_APP; 'yk apps' lists the apps."
      : "Run 'yk --help' or 'yk COMMAND --help' for usage.";
    print(message, hint);
    return 2;
  }
  if (e instanceof CliError) {
    print(e.message, e.hint);
    return e.exitCode;
  }
  // The server command can throw the server's AppError, which carries a hint too.
  const hint = (e as { hint?: unknown })?.hint;
  if (e instanceof Error && typeof hint === "string") {
    print(e.message, hint);
    return 1;
  }
  print(
    e instanceof Error ? e.message : String(e),
    debug ? "" : "This looks like a bug in yk; run again with --debug for the stack trace.",
  );
  return 1;
}

async function main(argv: string[]): Promise<number> {
  const env = process.env;
  const debug = argv.includes("--debug") || env.YADOKARI_DEBUG === "1";
  // `yk logs | head` closes the pipe early; that is a normal end, not an error.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  const ctx: CliContext = {
    env,
    api: (override) => new HttpApi(override ?? resolveConfig(env)),
    saveConfig: (cfg) => saveConfig(env, cfg),
    out: (text) => void process.stdout.write(text),
    progress: { isTTY: process.stderr.isTTY === true, write: (text) => void process.stderr.write(text) },
    now: () => new Date(),
  };
  try {
    await buildProgram(ctx).parseAsync(argv);
    return 0;
  } catch (e) {
    return report(e, debug);
  }
}

// exitCode rather than exit(): lets stdout drain when it is a pipe.
process.exitCode = await main(process.argv);
