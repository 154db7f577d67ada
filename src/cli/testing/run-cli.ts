import { Command } from "commander";
import type { CliContext } from "../commands/context.js";
import type { FakeApi } from "./fake-api.js";

/**
 * Runs `yk ARGS` in process against a fake API, through the given commands' registration, and returns what they
 * printed. Commander's own output is silenced and its exits become exceptions; the clock is fixed.
 */
export async function runCli(
  register: (program: Command, ctx: CliContext) => void,
  args: string[],
  api: FakeApi,
  configPath = "",
): Promise<string> {
  let out = "";
  const program = new Command("yk")
    .exitOverride()
    .allowExcessArguments(false)
    .configureOutput({ outputError: () => {}, writeErr: () => {}, writeOut: () => {} });
  register(program, {
    env: {},
    api: () => api,
    saveConfig: async () => configPath,
    out: (t) => void (out += t),
    now: () => new Date("2024-05-10T12:00:00Z"),
  });
  await program.parseAsync(args, { from: "user" });
  return out;
}
