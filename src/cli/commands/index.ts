import { Option, type Command } from "commander";
import { registerAccounts } from "./accounts.js";
import { registerApps } from "./apps.js";
import { registerConfig } from "./config.js";
import type { CliContext } from "./context.js";
import { registerCron } from "./cron.js";
import { registerDeploy } from "./deploy.js";
import { registerDeploys } from "./deploys.js";
import { registerDomains } from "./domains.js";
import { registerLogin } from "./login.js";
import { registerLogs } from "./logs.js";
import { registerPs } from "./ps.js";
import { registerReleases } from "./releases.js";
import { registerProcesses } from "./processes.js";
import { registerDeploySettings } from "./deploy-settings.js";
import { registerRun } from "./run.js";
import { registerStorage } from "./storage.js";
import { registerGitflow } from "./gitflow.js";
import { registerGitRemote } from "./git-remote.js";
import { registerGitBranch } from "./git-branch.js";
import { registerMetrics } from "./metrics.js";
import { registerCanary } from "./canary.js";
import { registerCerts } from "./certs.js";
import { registerNodes } from "./nodes.js";
import { registerDoctorAndBackups, registerOps } from "./ops.js";
import { registerService } from "./service.js";

/** Every client command group, in the order `yk --help` lists them. */
export function registerCommands(program: Command, ctx: CliContext): void {
  // `yk run -a APP ls -la`: run passes everything after its command through, which needs the program's options
  // to come before the subcommand; --debug is then accepted by every subcommand as well (below).
  program.enablePositionalOptions();
  registerLogin(program, ctx);
  registerApps(program, ctx);
  registerDeploy(program, ctx);
  registerDeploys(program, ctx);
  registerReleases(program, ctx);
  registerPs(program, ctx);
  registerProcesses(program, ctx);
  registerDeploySettings(program, ctx);
  registerLogs(program, ctx);
  registerDomains(program, ctx);
  registerCerts(program, ctx);
  registerRun(program, ctx);
  registerStorage(program, ctx);
  registerCron(program, ctx);
  registerConfig(program, ctx);
  registerAccounts(program, ctx);
  registerGitflow(program, ctx);
  registerGitRemote(program, ctx);
  registerGitBranch(program, ctx);
  // progressive delivery
  registerMetrics(program, ctx);
  registerCanary(program, ctx);
  // across hosts: the swarm's nodes
  registerNodes(program, ctx);
  // Yadokari itself: status, stop, doctor, backups
  registerOps(program, ctx);
  registerDoctorAndBackups(program, ctx);
  registerService(program, ctx);
  for (const c of program.commands) c.addOption(new Option("--debug", "print stack traces with errors").hideHelp());
}
