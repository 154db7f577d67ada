import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { DeployView } from "../../api/contract.js";
import { apiPath, usageError } from "../api-client.js";
import { followDeploy } from "../follow-deploy.js";
import { listEntries, packTarGz, type PackEntry } from "../pack.js";
import { formatSize, uploadProgress } from "../progress.js";
import { MAX_UPLOAD_BYTES, UPLOAD_LIMIT_MAX } from "../../build/upload.js";
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

/**
 * The server refuses a larger build context than its YADOKARI_MAX_UPLOAD_BYTES (512 MB unless set, at most
 * 16 GB; src/build/upload.ts): yk deploy checks against the default, and --max-size sets another limit, lower,
 * or higher for a server set to take more.
 */
const SERVER_LIMIT_MB = MAX_UPLOAD_BYTES / 1024 / 1024;
const MOST_MB = UPLOAD_LIMIT_MAX / 1024 / 1024;

function parseMaxSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(MB|M|MiB)?$/i.exec(text.trim());
  const mb = m ? Number(m[1]) : NaN;
  if (!(mb > 0) || mb > MOST_MB)
    throw usageError(
      `--max-size '${text}' is not a size from 1 to ${MOST_MB} MB.`,
      `Example: --max-size 50 (MB). A server takes ${SERVER_LIMIT_MB} MB unless its YADOKARI_MAX_UPLOAD_BYTES says otherwise.`,
    );
  return mb * 1024 * 1024;
}

/** The largest top-level entries, for a message that says what to leave out. */
function largest(entries: PackEntry[], n = 3): string {
  const sizes = new Map<string, number>();
  for (const e of entries) {
    const top = e.path.split("/")[0] + (e.path.includes("/") ? "/" : "");
    sizes.set(top, (sizes.get(top) ?? 0) + e.size);
  }
  return [...sizes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([p, b]) => `${p} ${formatSize(b)}`)
    .join(", ");
}

/**
 * What `yk deploy` checks before it sends anything: that DIR is an app (a
 * Dockerfile at its root, after .dockerignore) and that it is not larger than
 * the limit. A wrong directory is refused in a moment, not after the upload.
 */
export function checkSource(abs: string, entries: PackEntry[], maxBytes: number): void {
  if (!entries.some((e) => e.path === "Dockerfile" && e.type !== "directory"))
    throw usageError(
      `No Dockerfile in ${abs}: that is the directory 'yk deploy' would send. Nothing was uploaded.`,
      "Pass the app's directory, the one with its Dockerfile at the root: yk deploy -a APP DIR (default: the current directory).",
    );
  const total = entries.reduce((n, e) => n + e.size, 0);
  if (total > maxBytes)
    throw usageError(
      `${abs} holds ${formatSize(total)} to send, more than the ${formatSize(maxBytes)} limit. Nothing was uploaded.`,
      `The largest: ${largest(entries)}. Leave out what the build does not need with .dockerignore, or pass --max-size MB if the server takes more than ${SERVER_LIMIT_MB} MB (its YADOKARI_MAX_UPLOAD_BYTES).`,
    );
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
    .option(
      "--max-size <MB>",
      `refuse to send more than this many MB (default ${SERVER_LIMIT_MB}, the server's default limit; at most ${MOST_MB})`,
    )
    .action(async (dir: string, opts: { app: string; strategy?: string; maxSize?: string }) => {
      if (opts.strategy !== undefined && !["rolling", "canary", "blue-green"].includes(opts.strategy))
        throw usageError(`'${opts.strategy}' is not a strategy.`, "Use --strategy rolling, canary or blue-green.");
      const maxBytes = opts.maxSize === undefined ? MAX_UPLOAD_BYTES : parseMaxSize(opts.maxSize);
      const abs = await checkDir(dir);
      const entries = await listEntries(abs);
      checkSource(abs, entries, maxBytes);
      const api = ctx.api();
      const { data, files } = await packTarGz(abs, entries);
      if (data.length > maxBytes)
        throw usageError(
          `The archive of ${abs} is ${formatSize(data.length)}, more than the ${formatSize(maxBytes)} limit. Nothing was uploaded.`,
          `The largest: ${largest(entries)}. Leave out what the build does not need with .dockerignore.`,
        );
      ctx.out(`Sending ${abs} to ${opts.app}: ${files} files, ${formatSize(data.length)} compressed\n`);
      const path = apiPath("apps", opts.app, "builds") + (opts.strategy ? `?strategy=${opts.strategy}` : "");
      const progress = uploadProgress(ctx.progress ?? { isTTY: false, write: () => {} }, data.length, () =>
        ctx.now().getTime(),
      );
      const started = await api.upload<DeployView>(path, data, "application/gzip", progress.update);
      progress.done();
      ctx.out(`Deploy #${started.id} ${started.status}\n`);
      const d = await followDeploy(ctx, api, started);
      ctx.out(`Deploy #${d.id} succeeded${d.releaseVersion !== null ? `: release v${d.releaseVersion}` : ""}\n`);
      for (const url of d.urls) ctx.out(`Live at ${url}\n`);
    });
}
