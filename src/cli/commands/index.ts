import type { Command } from "commander";
import { registerApps } from "./apps.js";
import type { CliContext } from "./context.js";
import { registerDeploy } from "./deploy.js";
import { registerDomains } from "./domains.js";
import { registerLogin } from "./login.js";
import { registerLogs } from "./logs.js";
import { registerPs } from "./ps.js";
import { registerReleases } from "./releases.js";

/** Every client command group, in the order `yk --help` lists them. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerLogin(program, ctx);
  registerApps(program, ctx);
  registerDeploy(program, ctx);
  registerReleases(program, ctx);
  registerPs(program, ctx);
  registerLogs(program, ctx);
  registerDomains(program, ctx);
}
