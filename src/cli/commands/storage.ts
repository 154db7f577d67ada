import type { Command } from "commander";
import type { MountRequest, MountView } from "../../storage/contract.js";
import { apiPath, usageError } from "../api-client.js";
import { renderJson, renderTable } from "../output.js";
import { appOption, jsonOption, type CliContext } from "./context.js";

/** SOURCE:CONTAINER_PATH with exactly one ':'; the server checks everything else. */
export function mountRequest(arg: string): MountRequest {
  const parts = arg.split(":");
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw usageError(
      `'${arg}' is not HOST_PATH:CONTAINER_PATH or VOLUME_NAME:CONTAINER_PATH.`,
      "Give exactly one ':', e.g. yk storage:mount -a web /var/lib/yadokari-storage/web:/app/storage (mount options are not accepted).",
    );
  }
  return { source: parts[0], containerPath: parts[1] };
}

export function registerStorage(program: Command, ctx: CliContext): void {
  program
    .command("storage")
    .description("list an app's storage mounts")
    .addOption(appOption())
    .addOption(jsonOption())
    .action(async (opts: { app: string; json?: boolean }) => {
      const mounts = await ctx.api().json<MountView[]>("GET", apiPath("apps", opts.app, "storage"));
      if (opts.json) return ctx.out(renderJson(mounts));
      if (mounts.length === 0) return ctx.out(`${opts.app} has no storage mounts.\n`);
      ctx.out(
        renderTable(
          ["source", "container path", "type"],
          mounts.map((m) => [m.source, m.containerPath, m.type]),
        ),
      );
    });

  program
    .command("storage:mount")
    .description(
      "mount a host directory (under the server's storage roots) or a named volume into every container of an app",
    )
    .addOption(appOption())
    .argument("<mount>", "HOST_PATH:CONTAINER_PATH or VOLUME_NAME:CONTAINER_PATH")
    .option(
      "--shared",
      "admins: mount a directory or volume that is not the app's own (another app's, or a shared one)",
    )
    .action(async (arg: string, opts: { app: string; shared?: boolean }) => {
      const m = await ctx.api().json<MountView>("POST", apiPath("apps", opts.app, "storage"), {
        ...mountRequest(arg),
        ...(opts.shared ? { shared: true } : {}),
      });
      ctx.out(
        `Mounted ${m.type === "volume" ? "volume " : ""}${m.source} at ${m.containerPath} in ${opts.app}.\nIt applies to containers started from now on: deploy (or restart) to apply it to running ones.\n`,
      );
    });

  program
    .command("storage:unmount")
    .description("remove an app's storage mount")
    .addOption(appOption())
    .argument("<container-path>", "the path inside the containers")
    .action(async (path: string, opts: { app: string }) => {
      await ctx
        .api()
        .json<{ removed: string }>(
          "DELETE",
          `${apiPath("apps", opts.app, "storage")}?${new URLSearchParams({ path })}`,
        );
      ctx.out(`Unmounted ${path} from ${opts.app}. Containers started from now on no longer have it.\n`);
    });
}
