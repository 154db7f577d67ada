import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { CliError } from "../api-client.js";
import type { CliContext } from "./context.js";
import { dataDirOption } from "./ops.js";
import { renderUnits } from "../../ops/systemd.js";
import { serversInConfig, staleServers } from "../../ops/router-check.js";

/** Host-side commands of the system service (scripts/up.sh and the units call them). */
export function registerService(program: Command, ctx: CliContext): void {
  program
    .command("service:units")
    .description("write the systemd units (yadokari.service, yadokari-router.service) into a directory")
    .requiredOption("--out <dir>", "e.g. /etc/systemd/system")
    .addOption(dataDirOption())
    .option("--env-file <file>", "YADOKARI_* settings both units read", "/etc/default/yadokari")
    .option("--haproxy <path>", "the HAProxy binary", "/usr/sbin/haproxy")
    .action((opts: { out: string; dataDir: string; envFile: string; haproxy: string }) => {
      const cli = fileURLToPath(new URL("../../main/cli.js", import.meta.url));
      const units = renderUnits({
        node: process.execPath,
        cli,
        dataDir: resolve(opts.dataDir),
        envFile: resolve(opts.envFile),
        haproxy: opts.haproxy,
      });
      mkdirSync(opts.out, { recursive: true });
      for (const [name, text] of Object.entries(units)) {
        writeFileSync(join(opts.out, name), text, { mode: 0o644 });
        ctx.out(`${join(opts.out, name)}\n`);
      }
    });

  program
    .command("router:check")
    .description(
      "exit 0 when every server in the router's last config is still its running container at that address (the router unit runs it before HAProxy starts at boot)",
    )
    .addOption(dataDirOption())
    .action(async (opts: { dataDir: string }) => {
      const file = join(opts.dataDir, "router", "haproxy.cfg");
      if (!existsSync(file))
        throw new CliError("no_router_config", `no router config at ${file}`, "The server renders it when it starts.");
      const servers = serversInConfig(readFileSync(file, "utf8"));
      // the engine the server runs apps on (YADOKARI_DOCKER_SOCKET, as the server reads it)
      const { loadSettings } = await import("../../main/settings.js");
      const { default: Docker } = await import("dockerode");
      const docker = new Docker({ socketPath: loadSettings({}, ctx.env).settings.dockerSocket });
      const containers = new Map<string, { running: boolean; addresses: string[] }>();
      for (const s of servers) {
        try {
          const info = await docker.getContainer(s.name).inspect();
          containers.set(s.name, {
            running: info.State.Running,
            addresses: Object.values(info.NetworkSettings.Networks ?? {}).map((n) => n.IPAddress),
          });
        } catch (e) {
          if ((e as { statusCode?: number }).statusCode !== 404)
            throw new CliError(
              "docker_unavailable",
              `Docker did not answer: ${(e as Error).message}`,
              "HAProxy starts once the server has rendered the config again.",
            );
        }
      }
      const stale = staleServers(servers, containers);
      if (stale.length)
        throw new CliError(
          "router_config_stale",
          `the router's last config is out of date: ${stale.map((x) => `${x.server.name} (${x.why})`).join(", ")}`,
          "Not starting HAProxy from it: the server renders the config again and starts HAProxy itself.",
        );
      ctx.out(`the router's config matches the running containers (${servers.length} servers)\n`);
    });
}
