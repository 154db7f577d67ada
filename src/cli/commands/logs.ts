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
    .addOption(new Option("-n, --num <lines>", "number of past lines").argParser(parseLines))
    .option("-p, --process <type>", "only this process type (web, worker, run, cron, release, …)")
    .action(async (opts: { app: string; follow?: boolean; num?: number; process?: string }) => {
      for await (const line of ctx
        .api()
        .lines(logsPath(opts.app, { tail: opts.num, follow: opts.follow, process: opts.process })))
        ctx.out(line + "\n");
    });
}
