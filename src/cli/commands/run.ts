import type { Command } from "commander";
import type { Duplex } from "node:stream";
import type { RunCreated, RunRequest, RunView } from "../../runs/contract.js";
import { argvProblem } from "../../runs/validate.js";
import { apiPath, CliError, resolveConfig, usageError } from "../api-client.js";
import { openUpgrade, pumpSession, resetStream, type SessionIo } from "../attach.js";
import { appOption, type CliContext } from "./context.js";

/** What `yk run` needs beyond CliContext: the terminal, the attach, and a way to exit with the container's code. */
export interface RunIo extends SessionIo {
  attach(path: string): Promise<Duplex>;
  /** ends the process with this code once stdout and stderr are flushed */
  exit(code: number): void;
}

export function processRunIo(ctx: CliContext): RunIo {
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    onSignal(fn) {
      for (const s of signals) process.on(s, fn);
      return () => {
        for (const s of signals) process.off(s, fn);
      };
    },
    onResize(fn) {
      process.stdout.on("resize", fn);
      return () => void process.stdout.off("resize", fn);
    },
    attach: (path) => openUpgrade(resolveConfig(ctx.env), path),
    // src/main/cli.ts sets the exit code from its own result, so the container's code is applied here.
    exit: (code) => process.stdout.write("", () => process.stderr.write("", () => process.exit(code))),
  };
}

/** The POST body from the CLI's argv and flags; a TTY only when both ends of this terminal are one. */
export function runRequest(
  command: string[],
  opts: { detach?: boolean; tty?: boolean },
  io: { stdinTTY: boolean; stdoutTTY: boolean },
): RunRequest {
  if (command.length === 0)
    throw usageError(
      "yk run needs a command.",
      "yk run -a APP -- COMMAND [ARGS…], e.g. yk run -a web -- node scripts/migrate.js",
    );
  const problem = argvProblem(command);
  if (problem)
    throw usageError(
      `yk run: ${problem}.`,
      "Commands are at most 256 arguments of at most 64 KiB each, without NUL bytes.",
    );
  const detach = opts.detach === true;
  return { command, detach, tty: !detach && opts.tty !== false && io.stdinTTY && io.stdoutTTY };
}

/** A shell-like rendering of argv, only for messages. */
const show = (argv: string[]) =>
  argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");

export function registerRun(
  program: Command,
  ctx: CliContext,
  makeIo: (ctx: CliContext) => RunIo = processRunIo,
): void {
  program
    .command("run")
    .description("run a command in a one-off container of the app's live release (yk run -a APP -- COMMAND [ARGS…])")
    .addOption(appOption())
    .option("-d, --detach", "run in the background; its output goes to 'yk logs'")
    .option("--no-tty", "no terminal even when this one is (output stays byte-exact; stderr kept apart)")
    .argument(
      "[command...]",
      "the program and its arguments (after '--', or after the options); passed as is (no shell)",
    )
    // everything from the command on is the command's own, `-la` included: `yk run -a web ls -la`
    .passThroughOptions()
    .action(async (command: string[], opts: { app: string; detach?: boolean; tty?: boolean }) => {
      const io = makeIo(ctx);
      const req = runRequest(command, opts, { stdinTTY: io.stdin.isTTY === true, stdoutTTY: io.stdout.isTTY === true });
      const api = ctx.api();
      // One signal listener for the whole run, installed before the container can start (the server starts it
      // during the attach). It is never swapped out: removing a process's last listener restores the default
      // action and drops a signal not yet dispatched, so each stage changes what the listener does instead.
      let interrupted = false;
      let onInterrupt: () => void = () => void (interrupted = true);
      const offSignals = req.detach ? () => {} : io.onSignal(() => onInterrupt());
      // the session installs its own reaction; once it is over, a signal (during the exit code's GET) just exits
      const sessionIo: RunIo = {
        ...io,
        onSignal: (fn) => ((onInterrupt = fn), () => void (onInterrupt = () => io.exit(130))),
      };
      try {
        const run = await api.json<RunCreated>("POST", apiPath("apps", opts.app, "runs"), req);
        if (req.detach) {
          ctx.out(
            `Running ${show(req.command)} on ${opts.app} as ${run.name} (detached).\nSee its output with: yk logs -a ${opts.app}\n`,
          );
          return;
        }
        const runPath = apiPath("apps", opts.app, "runs", run.id);
        const size =
          req.tty && io.stdout.rows && io.stdout.columns ? `?rows=${io.stdout.rows}&cols=${io.stdout.columns}` : "";
        const socket = interrupted ? null : await io.attach(`${runPath}/attach${size}`);
        if (interrupted || !socket) {
          // a reset stream makes the server stop and remove the run; one never attached is removed here
          if (socket) resetStream(socket);
          else await api.json("DELETE", runPath).catch(() => {});
          return io.exit(130);
        }
        const resize = () => {
          if (io.stdout.rows && io.stdout.columns)
            api.json("POST", `${runPath}/resize`, { rows: io.stdout.rows, cols: io.stdout.columns }).catch(() => {});
        };
        const how = await pumpSession(socket, sessionIo, req.tty === true, resize);
        if (how === "interrupted") return io.exit(130);
        const view = await api.json<RunView>("GET", runPath);
        if (view.exitCode === null)
          throw new CliError(
            "run_exit_unknown",
            `${run.name} ended (${view.state}) without an exit code.`,
            `'yk logs -a ${opts.app}' may show what happened.`,
          );
        io.exit(view.exitCode);
      } finally {
        offSignals();
      }
    });
}
