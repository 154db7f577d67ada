import { Option, type Command } from "commander";
import { apiPath, CliError } from "../api-client.js";
import { resolve as resolvePath } from "node:path";
import { renderJson, renderTable } from "../output.js";
import { jsonOption, type CliContext } from "./context.js";
import type { StatusView } from "../../ops/operations.js";
import { hostFacts, type LocalFacts } from "../../ops/local-facts.js";
import type { Check } from "../../ops/doctor.js";
import type { BackupRecord, BackupSchedule } from "../../ops/backup/state.js";
import type { BackupManifest } from "../../ops/backup/create.js";
import type { RestoreReport } from "../../ops/backup/restore.js";

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
    `router:  ${v.router.running ? `running, HAProxy ${v.router.version ?? ""} pid ${v.router.pid ?? "?"} (worker ${v.router.workerPid}), up ${uptime(v.router.uptimeSec ?? 0)}` : `NOT RUNNING${v.router.pid ? ` (pid ${v.router.pid} does not answer)` : ""}`}`,
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

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const hostPath = (p: string) => (p.startsWith("s3://") ? p : resolvePath(p));

/** `yk doctor` as lines: a mark per check, and what to do under each problem. Pure. */
export function renderDoctor(checks: Check[]): string {
  const mark = { ok: "ok  ", warn: "WARN", fail: "FAIL" } as const;
  const lines = checks.map(
    (c) => `${mark[c.status]} ${c.name.padEnd(12)} ${c.detail}${c.fix ? `\n     ${" ".repeat(12)} → ${c.fix}` : ""}`,
  );
  const fails = checks.filter((c) => c.status === "fail").length;
  const warns = checks.filter((c) => c.status === "warn").length;
  lines.push(
    "",
    fails || warns
      ? `${fails} problem${fails === 1 ? "" : "s"}, ${warns} warning${warns === 1 ? "" : "s"}`
      : "No problems found.",
  );
  return lines.join("\n") + "\n";
}

/** `yk doctor`, `yk backup`, `yk backups`, `yk backup:schedule`, `yadokari restore`. */
export function registerDoctorAndBackups(program: Command, ctx: CliContext): void {
  program
    .command("doctor")
    .description(
      "check the host: Docker, the router's config, disk and inodes, clock, ports, DNS, certificates, apps, cron, backups",
    )
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const r = await ctx.api().json<{ ok: boolean; checks: Check[] }>("GET", apiPath("doctor"));
      ctx.out(opts.json ? renderJson(r) : renderDoctor(r.checks));
      if (!r.ok)
        throw new CliError(
          "doctor_problems",
          `${r.checks.filter((c) => c.status === "fail").length} problems found`,
          "Each FAIL line above says what to do.",
        );
    });

  program
    .command("backup")
    .description(
      "back up the control plane now: store, master key, admin token, certificates, git sources (and images)",
    )
    .option(
      "--to <path|s3://bucket/prefix>",
      "a file or directory on the server's host, or S3 (default DATA_DIR/backups/)",
    )
    .option("--with-images", "include each app's live image (docker save): a restore needs no rebuild")
    .option("--passphrase-file <file>", "encrypt with the passphrase in this file (on the server's host)")
    .addOption(jsonOption())
    .action(async (opts: { to?: string; withImages?: boolean; passphraseFile?: string; json?: boolean }) => {
      const r = await ctx.api().json<BackupRecord & { apps: BackupManifest["apps"] }>("POST", apiPath("backups"), {
        ...(opts.to ? { to: hostPath(opts.to) } : {}),
        withImages: opts.withImages === true,
        ...(opts.passphraseFile ? { passphraseFile: resolvePath(opts.passphraseFile) } : {}),
      });
      if (opts.json) return ctx.out(renderJson(r));
      ctx.out(
        `Backup written to ${r.target}: ${mib(r.bytes)} in ${secs(r.durationMs)}${r.encrypted ? ", encrypted" : ""}.\n`,
      );
      ctx.out(
        `${r.apps.length} apps${r.withImages ? `, ${r.apps.filter((a) => a.imageIncluded).length} live images included` : " (images not included: a restore rebuilds git-deployed apps from their commit)"}.\n`,
      );
      ctx.out(
        `Restore it on a new host with: yadokari restore ${r.target}${r.encrypted ? " --passphrase-file FILE" : ""}\n`,
      );
    });

  program
    .command("backups")
    .description("the backup schedule and the last backups made by the server")
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const r = await ctx
        .api()
        .json<{ schedule: BackupSchedule | null; history: BackupRecord[] }>("GET", apiPath("backups"));
      if (opts.json) return ctx.out(renderJson(r));
      const s = r.schedule;
      ctx.out(
        s
          ? `Schedule: every ${s.everyHours} h to ${s.to}, keeping ${s.keep}${s.withImages ? ", with images" : ""}${s.passphraseFile ? ", encrypted" : ""}\n`
          : "No schedule ('yk backup:schedule --every 24h --to DIR' sets one).\n",
      );
      ctx.out(
        r.history.length
          ? renderTable(
              ["when", "trigger", "result", "size", "time", "target"],
              r.history.map((b) => [
                b.at,
                b.trigger,
                b.ok ? "ok" : `FAILED: ${b.message}`,
                mib(b.bytes),
                secs(b.durationMs),
                b.target ?? "-",
              ]),
            )
          : "No backup made yet.\n",
      );
    });

  program
    .command("backup:schedule")
    .description("back up on a schedule, keeping the newest --keep backups at the target (--off: no schedule)")
    .option("--every <interval>", "6h, 1d, 90m …", "24h")
    .option("--keep <n>", "backups kept at the target", "7")
    .option("--to <dir|s3://bucket/prefix>", "a directory on the server's host, or S3")
    .option("--with-images", "include each app's live image")
    .option("--passphrase-file <file>", "encrypt with the passphrase in this file (read at every backup)")
    .option("--off", "remove the schedule")
    .action(
      async (opts: {
        every: string;
        keep: string;
        to?: string;
        withImages?: boolean;
        passphraseFile?: string;
        off?: boolean;
      }) => {
        if (opts.off) {
          await ctx.api().json("DELETE", apiPath("backups", "schedule"));
          return ctx.out("Scheduled backups are off.\n");
        }
        if (!opts.to)
          throw new CliError(
            "usage",
            "backup:schedule needs --to DIR or --to s3://bucket/prefix",
            "e.g. yk backup:schedule --every 24h --keep 7 --to /var/backups/yadokari",
            { exitCode: 2 },
          );
        const keep = Number(opts.keep);
        const s = await ctx.api().json<BackupSchedule>("PUT", apiPath("backups", "schedule"), {
          every: opts.every,
          keep,
          to: hostPath(opts.to),
          withImages: opts.withImages === true,
          ...(opts.passphraseFile ? { passphraseFile: resolvePath(opts.passphraseFile) } : {}),
        });
        ctx.out(`Backups every ${s.everyHours} h to ${s.to}, keeping the newest ${s.keep}.\n`);
      },
    );

  program
    .command("restore")
    .description("restore a backup into this host's data directory (a new host), then start the server")
    .argument(
      "<file>",
      "a backup file (yadokari-….tar.gz or .tar.gz.enc), or s3://bucket/key (AWS_* and YADOKARI_S3_ENDPOINT/REGION as for backups)",
    )
    .addOption(dataDirOption())
    .option("--passphrase-file <file>", "the passphrase of an encrypted backup")
    .option("--force", "replace an existing store (kept as yadokari.db.before-restore)")
    .addOption(jsonOption())
    .action(
      async (file: string, opts: { dataDir: string; passphraseFile?: string; force?: boolean; json?: boolean }) => {
        // Loaded on demand: the restore needs the server's own modules (SQLite, Docker).
        const { runRestore } = await import("../../main/restore.js");
        // S3 and Docker settings as the server reads them (a wrong one stops here, named)
        const { loadSettings, s3Settings } = await import("../../main/settings.js");
        const { settings } = loadSettings({}, ctx.env);
        const report = await runRestore({
          s3: s3Settings(settings),
          dockerSocket: settings.dockerSocket,
          file: file.startsWith("s3://") ? file : resolvePath(file),
          dataDir: resolvePath(opts.dataDir),
          passphraseFile: opts.passphraseFile ? resolvePath(opts.passphraseFile) : null,
          force: opts.force === true,
          log: (l) => ctx.out(`-----> ${l}\n`),
        });
        if (opts.json) return ctx.out(renderJson(report));
        ctx.out(renderRestore(report, opts.dataDir));
        const missing = report.apps.filter((a) => a.imageStatus === "missing");
        if (missing.length)
          throw new CliError(
            "restore_incomplete",
            `${missing.length} app${missing.length === 1 ? "" : "s"} restored without an image: ${missing.map((a) => a.name).join(", ")}`,
            "Deploy them again (yk deploy -a APP DIR, or git push); the others serve once the server starts.",
          );
      },
    );
}

/** What `restore` did, app by app. Pure. */
export function renderRestore(r: RestoreReport, dataDir: string): string {
  const out = [
    `Restored a backup of Yadokari ${r.madeBy} made ${r.createdAt} (schema ${r.schemaVersion}) into ${dataDir} in ${secs(r.durationMs)}.`,
    renderTable(
      ["app", "live", "image", "status"],
      r.apps.map((a) => [
        a.name,
        a.liveVersion === null ? "-" : `v${a.liveVersion}`,
        a.image ?? "-",
        a.imageStatus === "missing" ? `MISSING: ${a.why}` : a.imageStatus,
      ]),
    ).trimEnd(),
    "Start the server now ('systemctl start yadokari', 'npm run up' or 'yadokari server --data-dir …'): it brings every app up.",
  ];
  return out.join("\n") + "\n";
}
