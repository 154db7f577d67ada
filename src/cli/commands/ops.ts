import { Option, type Command } from "commander";
import { apiPath, CliError } from "../api-client.js";
import { renderJson } from "../output.js";
import { jsonOption, type CliContext } from "./context.js";
import type { StatusView } from "../../ops/operations.js";
import { hostFacts, type LocalFacts } from "../../ops/local-facts.js";

export const dataDirOption = () =>
  new Option("--data-dir <dir>", "the server's data directory").env("YADOKARI_DATA_DIR").default("/var/lib/yadokari");

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const uptime = (s: number) =>
  s >= 86400
    ? `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`
    : s >= 3600
      ? `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`
      : s >= 60
        ? `${Math.floor(s / 60)}m${s % 60}s`
        : `${s}s`;

/** `yk status` from the server's answer. Pure. */
export function renderStatus(v: StatusView): string {
  const lines = [
    `server:  running, pid ${v.server.pid}, version ${v.server.version} (schema ${v.server.schemaVersion}), up ${uptime(v.server.uptimeSec)}${v.server.draining ? ", STOPPING" : ""}`,
    `router:  ${v.router.running ? `running, HAProxy pid ${v.router.pid ?? "?"} (worker ${v.router.workerPid}), up ${uptime(v.router.uptimeSec ?? 0)}` : `NOT RUNNING${v.router.pid ? ` (pid ${v.router.pid} does not answer)` : ""}`}`,
    `docker:  ${v.docker.reachable ? `reachable, version ${v.docker.version} (API ${v.docker.apiVersion})` : `NOT REACHABLE: ${v.docker.error}`}`,
    `apps:    ${v.apps.serving}/${v.apps.expected} serving`,
  ];
  for (const a of v.apps.notServing) lines.push(`         ${a.app}: ${a.missing.join(", ")}`);
  const c = v.coldStart;
  lines.push(
    `start:   ${c.durationMs !== null ? `every app (${c.expected}) served ${secs(c.durationMs)} after the server started` : `${c.expected ?? "?"} apps to bring up; not all serving yet`}`,
  );
  return lines.join("\n") + "\n";
}

/** Server, router and Docker as seen on the host when the API does not answer. */
async function localStatus(ctx: CliContext, facts: LocalFacts, dataDir: string, why: string): Promise<string> {
  const server = facts.serverPid(dataDir);
  const router = facts.routerPid(dataDir);
  const docker = await facts.dockerVersion();
  return [
    `server:  ${server ? `pid ${server} runs but the API does not answer (${why})` : `NOT RUNNING (${why})`}`,
    `router:  ${router ? `running, HAProxy pid ${router} (apps keep being served)` : "NOT RUNNING"}`,
    `docker:  ${docker ? `reachable, version ${docker}` : "NOT REACHABLE at /var/run/docker.sock"}`,
    "",
  ].join("\n");
}

/** `yk status`, `yk stop`: Yadokari itself. */
export function registerOps(program: Command, ctx: CliContext, facts: LocalFacts = hostFacts): void {
  program
    .command("status")
    .description("what runs: server, router, Docker, versions, apps serving / expected, the last cold start's time")
    .addOption(jsonOption())
    .addOption(dataDirOption())
    .action(async (opts: { json?: boolean; dataDir: string }) => {
      let view: StatusView;
      try {
        view = await ctx.api().json<StatusView>("GET", apiPath("status"));
      } catch (e) {
        if (!(e instanceof CliError) || e.code !== "unreachable") throw e;
        ctx.out(await localStatus(ctx, facts, opts.dataDir, e.message.replace(/\.$/, "")));
        throw new CliError("server_not_running", "the Yadokari server does not answer", e.hint);
      }
      ctx.out(opts.json ? renderJson(view) : renderStatus(view));
      const problems = [
        ...(view.router.running ? [] : ["the router is not running"]),
        ...(view.docker.reachable ? [] : ["Docker does not answer"]),
        ...(view.apps.serving < view.apps.expected
          ? [`${view.apps.expected - view.apps.serving} of ${view.apps.expected} apps are not serving`]
          : []),
      ];
      if (problems.length)
        throw new CliError("not_healthy", problems.join("; "), "Run 'yk doctor' for what to do about each problem.");
    });

  program
    .command("stop")
    .description("stop the server on this host (HAProxy keeps serving the apps); running deploys may finish first")
    .addOption(dataDirOption())
    .addOption(
      new Option("--timeout <seconds>", "how long to wait for it to exit").default("90").argParser((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 3600)
          throw new CliError("usage", "--timeout is a number of seconds from 1 to 3600", "", { exitCode: 2 });
        return n;
      }),
    )
    .action(async (opts: { dataDir: string; timeout: number | string }) => {
      const pid = facts.serverPid(opts.dataDir);
      if (pid === null)
        throw new CliError(
          "server_not_running",
          `no Yadokari server runs with the data directory ${opts.dataDir}`,
          "Pass --data-dir (or YADOKARI_DATA_DIR) if it uses another one; 'yk status' shows what runs.",
        );
      const t0 = Date.now();
      ctx.out(`Stopping the server (pid ${pid}); HAProxy keeps serving the apps…\n`);
      if (!(await facts.terminate(pid, Number(opts.timeout) * 1000)))
        throw new CliError(
          "stop_timeout",
          `the server (pid ${pid}) still runs after ${opts.timeout} s`,
          "A deploy may still be finishing: wait, or send SIGTERM again to exit at once (the next server marks it interrupted).",
        );
      ctx.out(`Stopped in ${secs(Date.now() - t0)}.\n`);
    });
}
