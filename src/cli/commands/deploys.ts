import { Option, type Command } from "commander";
import type { DeployView } from "../../api/contract.js";
import { apiPath, CliError, type Api } from "../api-client.js";
import { followDeploy } from "../follow-deploy.js";
import { relativeTime, renderFields, renderJson, renderTable } from "../output.js";
import { appOption, jsonOption, type CliContext } from "./context.js";

/**
 * Deploys you did not start: a webhook's, a git push's, the UI's, a teammate's. They are named by their
 * number among the app's deploys (#1, #2, …); the API's paths take the deploy's id, which the number resolves to.
 */
export function registerDeploys(program: Command, ctx: CliContext): void {
  program
    .command("deploys")
    .description("list an app's deploys, newest first (any source: yk, git push, webhook, UI)")
    .addOption(appOption())
    .addOption(new Option("-n, --limit <n>", "how many (1-100)").default("20"))
    .addOption(new Option("--before <number>", "only deploys older than deploy #number (the next page)"))
    .addOption(jsonOption())
    .action(async (opts: { app: string; limit: string; before?: string; json?: boolean }) => {
      const api = ctx.api();
      const limit = wholeNumber(opts.limit, "--limit");
      const query = new URLSearchParams({ limit: String(limit) });
      if (opts.before !== undefined)
        query.set("before", String((await byNumber(api, opts.app, wholeNumber(opts.before, "--before"))).id));
      const page = await api.json<DeployView[]>("GET", `${apiPath("apps", opts.app, "deploys")}?${query}`);
      if (opts.json) return ctx.out(renderJson(page));
      if (page.length === 0)
        return ctx.out(
          opts.before
            ? `${opts.app} has no deploys before #${opts.before}.\n`
            : `${opts.app} has no deploys yet. Deploy with: yk deploy -a ${opts.app} [DIR]\n`,
        );
      const now = ctx.now();
      ctx.out(
        renderTable(
          ["deploy", "status", "release", "source", "by", "started", "took"],
          page.map((d) => [
            `#${d.number}`,
            statusWords(d),
            d.releaseVersion === null ? "-" : `v${d.releaseVersion}`,
            sourceWords(d),
            d.actor,
            relativeTime(d.createdAt, now),
            took(d),
          ]),
        ),
      );
      const last = page[page.length - 1];
      if (page.length === limit && last.number > 1)
        ctx.out(`Older deploys: yk deploys -a ${opts.app} --before ${last.number}\n`);
    });

  program
    .command("deploys:info")
    .description("show one deploy: status, source, who started it, its steps, why it failed")
    .addOption(appOption())
    .addOption(jsonOption())
    .argument("<number>", "the deploy's number (#N in yk deploys; the # is optional)")
    .action(async (number: string, opts: { app: string; json?: boolean }) => {
      const d = await byNumber(ctx.api(), opts.app, deployNumber(number));
      if (opts.json) return ctx.out(renderJson(d));
      const now = ctx.now();
      ctx.out(
        renderFields([
          ["Deploy", `#${d.number} of ${d.app}`],
          ["Status", statusWords(d)],
          ["Release", d.releaseVersion === null ? "-" : `v${d.releaseVersion}`],
          ["Source", sourceWords(d)],
          ["Commit", d.commit ?? "-"],
          ["Started by", d.actor],
          ["Started", `${d.createdAt} (${relativeTime(d.createdAt, now)})`],
          ["Finished", d.finishedAt ? `${d.finishedAt} (took ${took(d)})` : "-"],
          ...(d.reason ? [["Reason", d.reason] as const] : []),
          ...(d.errorCode ? [["Error code", d.errorCode] as const] : []),
          ["URLs", d.urls.join(", ") || "-"],
        ]),
      );
      if (d.steps.length > 0) {
        ctx.out("\n");
        ctx.out(
          renderTable(
            ["step", "status", "took", "detail"],
            d.steps.map((s) => [s.name, s.status, span(s.startedAt, s.finishedAt), s.detail ?? ""]),
          ),
        );
      }
      if (d.containerLog) ctx.out(`\nContainer log:\n${d.containerLog.trimEnd()}\n`);
      ctx.out(`\nIts log: yk deploys:log -a ${d.app} ${d.number}\n`);
    });

  program
    .command("deploys:log")
    .description("print a deploy's log (default: the latest deploy); -f follows a queued or running one to its end")
    .addOption(appOption())
    .option("-f, --follow", "keep streaming until the deploy ends (through a newer deploy that supersedes it)")
    .argument("[number]", "the deploy's number (#N in yk deploys; default: the latest)")
    .action(async (number: string | undefined, opts: { app: string; follow?: boolean }) => {
      const api = ctx.api();
      const d =
        number === undefined ? await latest(api, opts.app) : await byNumber(api, opts.app, deployNumber(number));
      if (opts.follow) {
        ctx.out(`Deploy #${d.number} of ${d.app} (${statusWords(d)}, ${sourceWords(d)}, by ${d.actor})\n`);
        const end = await followDeploy(ctx, api, d);
        ctx.out(`Deploy #${end.number} succeeded: v${end.releaseVersion} is live\n`);
        return;
      }
      for await (const line of api.lines(apiPath("apps", d.app, "deploys", String(d.id), "log"))) ctx.out(line + "\n");
    });
}

async function byNumber(api: Api, app: string, number: number): Promise<DeployView> {
  return api.json<DeployView>("GET", apiPath("apps", app, "deploys", "numbers", String(number)));
}

async function latest(api: Api, app: string): Promise<DeployView> {
  const [d] = await api.json<DeployView[]>("GET", `${apiPath("apps", app, "deploys")}?limit=1`);
  if (!d)
    throw new CliError(
      "not_found",
      `${app} has no deploys yet`,
      `Deploy with: yk deploy -a ${app} [DIR], or git push.`,
    );
  return d;
}

/** "7" or "#7". */
function deployNumber(text: string): number {
  return wholeNumber(text.startsWith("#") ? text.slice(1) : text, "the deploy number");
}

function wholeNumber(text: string, what: string): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1)
    throw new CliError(
      "invalid_request",
      `${what} must be a whole number from 1, not '${text}'`,
      "See yk deploys --help.",
    );
  return Number(text);
}

function statusWords(d: DeployView): string {
  if (d.status === "failed") {
    const step = d.steps.find((s) => s.status === "failed");
    return step ? `failed at ${step.name}` : "failed";
  }
  if (d.status === "superseded") return d.supersededByNumber ? `superseded by #${d.supersededByNumber}` : "superseded";
  return d.status;
}

function sourceWords(d: DeployView): string {
  const commit = d.commit ? `@${d.commit.slice(0, 7)}` : "";
  const branch = d.ref?.startsWith("refs/heads/") ? d.ref.slice("refs/heads/".length) : (d.ref ?? "");
  if (d.source === "git") return `git ${branch}${commit}`.trimEnd();
  return commit ? `${d.source} ${commit}` : d.source;
}

function took(d: DeployView): string {
  return span(d.createdAt, d.finishedAt);
}

function span(from: string, to: string | null): string {
  if (!to) return "-";
  const ms = new Date(to).getTime() - new Date(from).getTime();
  if (!Number.isFinite(ms) || ms < 0) return "-";
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}
