import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { DeployView } from "../../api/contract.js";
import { apiPath, usageError } from "../api-client.js";
import { followDeploy } from "../follow-deploy.js";
import { packTarGz } from "../pack.js";
import { appOption, type CliContext } from "./context.js";

async function checkDir(dir: string): Promise<string> {
  const abs = resolve(dir);
  const st = await stat(abs).catch(() => null);
  if (!st?.isDirectory())
    throw usageError(
      `'${dir}' is not a directory.`,
      "Pass the directory holding the Dockerfile: yk deploy -a APP [DIR] (default: the current directory).",
    );
  return abs;
}

export function registerDeploy(program: Command, ctx: CliContext): void {
  program
    .command("deploy")
    .description("build DIR (honouring .dockerignore) and release it with zero downtime")
    .addOption(appOption())
    .argument("[dir]", "source directory with a Dockerfile", ".")
    .option(
      "--strategy <strategy>",
      "rolling, canary or blue-green for this deploy (default: the app's deploy settings)",
    )
    .action(async (dir: string, opts: { app: string; strategy?: string }) => {
      if (opts.strategy !== undefined && !["rolling", "canary", "blue-green"].includes(opts.strategy))
        throw usageError(`'${opts.strategy}' is not a strategy.`, "Use --strategy rolling, canary or blue-green.");
      const abs = await checkDir(dir);
      const api = ctx.api();
      const { data, files } = await packTarGz(abs);
      ctx.out(`Uploading ${abs} to ${opts.app}: ${files} files, ${formatSize(data.length)} compressed\n`);
      const path = apiPath("apps", opts.app, "builds") + (opts.strategy ? `?strategy=${opts.strategy}` : "");
      const started = await api.upload<DeployView>(path, data, "application/gzip");
      ctx.out(`Deploy #${started.id} ${started.status}\n`);
      const d = await followDeploy(ctx, api, started);
      ctx.out(`Deploy #${d.id} succeeded${d.releaseVersion !== null ? `: release v${d.releaseVersion}` : ""}\n`);
      for (const url of d.urls) ctx.out(`Live at ${url}\n`);
    });
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
