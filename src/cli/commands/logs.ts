import { type Command, Option } from "commander";
import { apiPath, usageError } from "../api-client.js";
import { appOption, type CliContext } from "./context.js";

/** -n must be a whole number; the server decides the default and the maximum. */
export function parseLines(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw usageError(`-n '${value}' is not a whole number of lines.`, "Pass a number, e.g. yk logs -a APP -n 200");
  }
  return n;
}

export function logsPath(app: string, opts: { tail?: number; follow?: boolean }): string {
  const q = new URLSearchParams();
  if (opts.tail !== undefined) q.set("tail", String(opts.tail));
  if (opts.follow) q.set("follow", "1");
  const qs = q.toString();
  return apiPath("apps", app, "logs") + (qs ? `?${qs}` : "");
}

export function registerLogs(program: Command, ctx: CliContext): void {
  program
    .command("logs")
    .description("print an app's container logs (\"<container> | <line>\")")
    .addOption(appOption())
    .option("-f, --follow", "keep streaming new lines until interrupted")
    .addOption(new Option("-n, --num <lines>", "number of past lines").argParser(parseLines))
    .action(async (opts: { app: string; follow?: boolean; num?: number }) => {
      for await (const line of ctx.api().lines(logsPath(opts.app, { tail: opts.num, follow: opts.follow }))) ctx.out(line + "\n");
    });
}
