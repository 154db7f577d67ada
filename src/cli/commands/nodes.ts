import { Option, type Command } from "commander";
import { apiPath, usageError } from "../api-client.js";
import { renderJson, renderTable } from "../output.js";
import { jsonOption, type CliContext } from "./context.js";
import { readStdinSecret } from "./accounts.js";
import type { NodeView } from "../../cluster/nodes.js";
import { renderJoinInstructions, type JoinInstructions } from "../../cluster/join-command.js";
import type { ExternalRegistryView } from "../../cluster/registry/external.js";

const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

/** `yk nodes` as a table: units per app as "shop×2 blog×1". Pure. */
export function renderNodes(nodes: NodeView[]): string {
  if (nodes.length === 0) return "The swarm has no nodes.\n";
  return renderTable(
    ["id", "hostname", "address", "role", "state", "availability", "admitted", "labels", "cpu", "memory", "units"],
    nodes.map((n) => [
      n.id.slice(0, 12),
      n.hostname,
      n.address,
      n.role + (n.leader ? " (leader)" : ""),
      n.state,
      n.availability,
      n.admitted ? "yes" : "no",
      Object.entries(n.labels)
        .filter(([k]) => !k.startsWith("yadokari."))
        .map(([k, v]) => `${k}=${v}`)
        .join(",") || "-",
      String(n.cpus),
      gib(n.memoryBytes),
      Object.entries(n.units)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([app, k]) => `${app}×${k}`)
        .join(" ") || "-",
    ]),
  );
}

const nodePath = (node: string, ...rest: string[]) => apiPath("cluster", "nodes", node, ...rest);

/** The swarm's nodes (Docker Swarm engine): Dokku-style names, `yk nodes:…`. */
export function registerNodes(
  program: Command,
  ctx: CliContext,
  readSecret: () => Promise<string> = readStdinSecret,
): void {
  program
    .command("nodes")
    .description("list the swarm's nodes: role, state, availability, labels, CPU, memory, units per app")
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const nodes = await ctx.api().json<NodeView[]>("GET", apiPath("cluster", "nodes"));
      ctx.out(opts.json ? renderJson(nodes) : renderNodes(nodes));
    });

  program
    .command("nodes:label")
    .description("set node labels (key=value) or remove them (key-), for placement constraints")
    .argument("<node>", "node id, id prefix or hostname")
    .argument("<labels...>", "key=value to set, key- to remove")
    .action(async (node: string, labels: string[]) => {
      const n = await ctx.api().json<NodeView>("PATCH", nodePath(node, "labels"), { labels });
      const shown = Object.entries(n.labels).filter(([k]) => !k.startsWith("yadokari."));
      ctx.out(`Labels of ${n.id.slice(0, 12)}: ${shown.map(([k, v]) => `${k}=${v}`).join(" ") || "(none)"}\n`);
    });

  for (const [verb, what] of [
    ["drain", "stop placing units on a node and move its units elsewhere"],
    ["activate", "let a drained node take units again"],
    ["admit", "check a node (overlay traffic, a full-size packet) and admit it to placements"],
  ] as const) {
    program
      .command(`nodes:${verb}`)
      .description(what)
      .argument("<node>", "node id, id prefix or hostname")
      .action(async (node: string) => {
        const n = await ctx.api().json<NodeView>("POST", nodePath(node, verb));
        ctx.out(
          verb === "admit"
            ? `${n.id.slice(0, 12)} passed the admission check and takes units.\n`
            : `${n.id.slice(0, 12)} is ${n.availability}.\n`,
        );
      });
  }

  program
    .command("nodes:remove")
    .description("remove a node that left the swarm (is down); --force removes a worker that is up")
    .argument("<node>", "node id, id prefix or hostname")
    .option("--force", "remove it even though it is up")
    .action(async (node: string, opts: { force?: boolean }) => {
      const path = nodePath(node) + (opts.force ? "?force=true" : "");
      const r = await ctx.api().json<{ removed: string }>("DELETE", path);
      ctx.out(`Removed node ${r.removed.slice(0, 12)}.\n`);
    });

  program
    .command("nodes:join-command")
    .description("print the command a new host runs to join the swarm, and the ports to open")
    .option("--manager", "join as a manager (default: worker)")
    .addOption(jsonOption())
    .action(async (opts: { manager?: boolean; json?: boolean }) => {
      const role = opts.manager ? "manager" : "worker";
      const j = await ctx.api().json<JoinInstructions>("GET", `${apiPath("cluster", "join-command")}?role=${role}`);
      ctx.out(opts.json ? renderJson(j) : renderJoinInstructions(j));
    });

  program
    .command("cluster:registry")
    .description("show, set (URL) or unset the team's own registry the nodes pull app images from")
    .argument("[url]", "https://HOST[:PORT][/PATH]")
    .option("--username <user>", "the registry's user")
    .option("--password-stdin", "read the registry's password from stdin")
    .addOption(new Option("--unset", "back to Yadokari's own registry").conflicts(["username", "passwordStdin"]))
    .addOption(jsonOption())
    .action(
      async (
        url: string | undefined,
        opts: { username?: string; passwordStdin?: boolean; unset?: boolean; json?: boolean },
      ) => {
        const api = ctx.api();
        const path = apiPath("cluster", "registry");
        let r: { registry: ExternalRegistryView | null };
        if (opts.unset) {
          if (url) throw usageError("--unset takes no URL.", "Run: yk cluster:registry --unset");
          r = await api.json("DELETE", path);
        } else if (url) {
          if (Boolean(opts.username) !== Boolean(opts.passwordStdin))
            throw usageError(
              "--username and --password-stdin go together.",
              'echo "$PASSWORD" | yk cluster:registry URL --username USER --password-stdin',
            );
          const password = opts.passwordStdin ? await readSecret() : undefined;
          r = await api.json("PUT", path, { url, ...(opts.username ? { username: opts.username, password } : {}) });
        } else {
          r = await api.json("GET", path);
        }
        if (opts.json) return ctx.out(renderJson(r));
        ctx.out(
          r.registry
            ? `App images go through ${r.registry.url}${r.registry.username ? ` as ${r.registry.username}` : ""}.\n`
            : "App images go through Yadokari's own registry.\n",
        );
      },
    );
}
