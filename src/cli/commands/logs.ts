import { type Command, Option } from "commander";
import { apiPath, usageError } from "../api-client.js";
import { appOption, type CliContext } from "./context.js";

/** The most past lines the server sends per request (its `tail` limit). */
export const MAX_LOG_LINES = 10000;

/** -n is a whole number of lines, 0 to 10000 (the server's limit); the server's default is 100. */
export function parseLines(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw usageError(`-n '${value}' is not a whole number of lines.`, "Pass a number, e.g. yk logs -a APP -n 200");
  }
  if (n > MAX_LOG_LINES)
    throw usageError(
      `-n ${value} is more than the ${MAX_LOG_LINES} past lines the server sends.`,
      `Pass -n ${MAX_LOG_LINES} or less; 'yk logs -a APP -f' follows new lines without a limit.`,
    );
  return n;
}

export function logsPath(app: string, opts: { tail?: number; follow?: boolean; process?: string }): string {
  const q = new URLSearchParams();
  if (opts.process !== undefined) q.set("process", opts.process);
  if (opts.tail !== undefined) q.set("tail", String(opts.tail));
  if (opts.follow) q.set("follow", "1");
  const qs = q.toString();
  return apiPath("apps", app, "logs") + (qs ? `?${qs}` : "");
}

export function registerLogs(program: Command, ctx: CliContext): void {
  program
    .command("logs")
    .description('print an app\'s container logs merged in time order ("<time> <process>.<container> | <line>")')
    .addOption(appOption())
    .option("-f, --follow", "keep streaming new lines until interrupted")
    .addOption(new Option("-n, --num <lines>", "number of past lines, 0 to 10000 (default 100)").argParser(parseLines))
    .option("-p, --process <type>", "only this process type (web, worker, run, cron, release, …)")
    .action(async (opts: { app: string; follow?: boolean; num?: number; process?: string }) => {
      for await (const line of ctx
        .api()
        .lines(logsPath(opts.app, { tail: opts.num, follow: opts.follow, process: opts.process })))
        ctx.out(line + "\n");
    });
}
