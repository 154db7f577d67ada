import { Option, type Command } from "commander";
import type { DeployView } from "../../api/contract.js";
import { keyProblem, parseAssignments } from "../../config-vars/validate.js";
import { isAppError } from "../../errors/app-error.js";
import { branchProblem } from "../../gitflow/ref-format.js";
import { formatTtl } from "../../gitflow/payload.js";
import { apiPath, usageError } from "../api-client.js";
import { followDeploy } from "../follow-deploy.js";
import { relativeTime, renderFields, renderJson, renderTable } from "../output.js";
import { appOption, jsonOption, type CliContext } from "./context.js";

export interface GitInfo {
  app: string;
  branch: string;
  repository: { url: string; branch: string; connectedAt: string } | null;
  webhooks: { github: string; gitlab: string; secretSet: boolean };
  reviewApps: { enabled: boolean; ttlSec: number };
  reviewOf: { parent: string; branch: string } | null;
}
interface ReviewAppView {
  app: string;
  branch: string;
  slug: string;
  url: string;
  liveRelease: number | null;
  commit: string | null;
  lastPushAt: string;
}
interface DeliveryView {
  deliveryId: string;
  provider: string;
  event: string;
  accepted: boolean;
  ref: string | null;
  commit: string | null;
  outcome: string;
  createdAt: string;
}

export const checkBranch = (b: string) => {
  const p = branchProblem(b);
  if (p)
    throw usageError(
      `invalid branch name ${JSON.stringify(b.slice(0, 80))}: ${p}`,
      "Use a branch name git accepts (git check-ref-format --branch NAME).",
    );
  return b;
};

async function follow(ctx: CliContext, started: DeployView, done: (d: DeployView) => string): Promise<void> {
  const d = await followDeploy(ctx, ctx.api(), started);
  ctx.out(done(d));
  for (const url of d.urls) ctx.out(`Live at ${url}\n`);
}

/** git:*, hooks:*, review-apps:* and releases:promote. */
export function registerGitflow(program: Command, ctx: CliContext): void {
  program
    .command("git:connect")
    .description(
      "connect the app to a git repository the server fetches from (https, ssh, git URL or absolute local path)",
    )
    .addOption(appOption())
    .argument("<repo-url>", "https://…, ssh://…, git://… or /absolute/path")
    .addOption(
      new Option("--branch <branch>", "the branch that deploys to this app (default: the app's, main unless set)"),
    )
    .action(async (url: string, opts: { app: string; branch?: string }) => {
      const info = await ctx.api().json<GitInfo>("PUT", apiPath("apps", opts.app, "git"), {
        url,
        ...(opts.branch === undefined ? {} : { branch: checkBranch(opts.branch) }),
      });
      ctx.out(
        `Connected ${opts.app} to ${info.repository!.url} (branch ${info.repository!.branch})\nPushes to ${info.repository!.branch} deploy it once a webhook is set up: yk hooks:info -a ${opts.app}\n`,
      );
    });

  program
    .command("git:info")
    .description("show the connected repository, its branch, webhook URLs and review app settings")
    .addOption(appOption())
    .addOption(jsonOption())
    .action(async (opts: { app: string; json?: boolean }) => {
      const i = await ctx.api().json<GitInfo>("GET", apiPath("apps", opts.app, "git"));
      if (opts.json) return ctx.out(renderJson(i));
      ctx.out(
        renderFields([
          ["Repository", i.repository?.url ?? "(none: yk git:connect)"],
          ["Branch", `${i.branch} (only its pushes deploy ${i.app}: yk git:branch)`],
          ["GitHub webhook", i.webhooks.github],
          ["GitLab webhook", i.webhooks.gitlab],
          ["Webhook secret", i.webhooks.secretSet ? "set (yk hooks:secret)" : "not yet (yk hooks:secret)"],
          [
            "Review apps",
            i.reviewApps.enabled ? `enabled, TTL ${formatTtl(i.reviewApps.ttlSec)} after the last push` : "disabled",
          ],
          ...(i.reviewOf ? [["Review app of", `${i.reviewOf.parent} (${i.reviewOf.branch})`] as [string, string]] : []),
        ]),
      );
    });

  program
    .command("git:deploy")
    .description(
      "fetch the app's branch (or one commit) from the connected repository, build it (or reuse its image) and deploy",
    )
    .addOption(appOption())
    .addOption(new Option("--commit <sha>", "a full 40-character commit of the branch"))
    .action(async (opts: { app: string; commit?: string }) => {
      const started = await ctx
        .api()
        .json<DeployView>(
          "POST",
          apiPath("apps", opts.app, "git", "deploy"),
          opts.commit ? { commit: opts.commit } : {},
        );
      await follow(ctx, started, (d) => `Deploy #${d.number} succeeded: release v${d.releaseVersion}\n`);
    });

  program
    .command("hooks:secret")
    .description("print the app's webhook secret (alone on the last line); --rotate replaces it")
    .addOption(appOption())
    .option("--rotate", "make a new secret; deliveries signed with the old one are refused")
    .action(async (opts: { app: string; rotate?: boolean }) => {
      const r = await ctx.api().json<{ secret: string }>("POST", apiPath("apps", opts.app, "hooks", "secret"), {
        rotate: opts.rotate === true,
      });
      ctx.out(
        `${opts.rotate ? "New webhook secret" : "Webhook secret"} of ${opts.app} (GitHub: Secret; GitLab: Secret token):\n${r.secret}\n`,
      );
    });

  program
    .command("hooks:info")
    .description("print the webhook URLs to paste into GitHub or GitLab")
    .addOption(appOption())
    .action(async (opts: { app: string }) => {
      const i = await ctx.api().json<GitInfo>("GET", apiPath("apps", opts.app, "git"));
      ctx.out(
        `GitHub: Settings → Webhooks → Add webhook\n  Payload URL:  ${i.webhooks.github}\n  Content type: application/json\n  Secret:       yk hooks:secret -a ${opts.app}\n  Events:       Just the push event\n` +
          `GitLab: Settings → Webhooks\n  URL:          ${i.webhooks.gitlab}\n  Secret token: yk hooks:secret -a ${opts.app}\n  Trigger:      Push events\n`,
      );
    });

  program
    .command("hooks:deliveries")
    .description("list the app's recent webhook deliveries and what each did")
    .addOption(appOption())
    .addOption(jsonOption())
    .action(async (opts: { app: string; json?: boolean }) => {
      const list = await ctx.api().json<DeliveryView[]>("GET", apiPath("apps", opts.app, "hooks", "deliveries"));
      if (opts.json) return ctx.out(renderJson(list));
      if (list.length === 0) return ctx.out(`${opts.app} has received no webhook deliveries.\n`);
      const now = ctx.now();
      ctx.out(
        renderTable(
          ["delivery", "provider", "event", "ref", "commit", "received", "outcome"],
          list.map((d) => [
            d.deliveryId,
            d.provider,
            d.event || "-",
            d.ref ?? "-",
            d.commit?.slice(0, 8) ?? "-",
            relativeTime(d.createdAt, now),
            d.outcome,
          ]),
        ),
      );
    });

  program
    .command("review-apps")
    .description("list the app's review apps (one per branch)")
    .addOption(appOption())
    .addOption(jsonOption())
    .action(async (opts: { app: string; json?: boolean }) => {
      const r = await ctx
        .api()
        .json<{ enabled: boolean; ttl: string; apps: ReviewAppView[] }>(
          "GET",
          apiPath("apps", opts.app, "review-apps"),
        );
      if (opts.json) return ctx.out(renderJson(r));
      ctx.out(`Review apps of ${opts.app}: ${r.enabled ? `enabled, TTL ${r.ttl}` : "disabled"}\n`);
      if (r.apps.length === 0) return;
      const now = ctx.now();
      ctx.out(
        renderTable(
          ["app", "branch", "release", "commit", "last push", "url"],
          r.apps.map((a) => [
            a.app,
            a.branch,
            a.liveRelease === null ? "-" : `v${a.liveRelease}`,
            a.commit?.slice(0, 8) ?? "-",
            relativeTime(a.lastPushAt, now),
            a.url,
          ]),
        ),
      );
    });

  program
    .command("review-apps:enable")
    .description("create a review app for every pushed branch other than the app's own")
    .addOption(appOption())
    .addOption(
      new Option("--ttl <duration>", "destroy a review app this long after its last push (s, m, h, d)").default("7d"),
    )
    .action(async (opts: { app: string; ttl: string }) => {
      const r = await ctx
        .api()
        .json<{ ttl: string }>("POST", apiPath("apps", opts.app, "review-apps", "enable"), { ttl: opts.ttl });
      ctx.out(`Review apps enabled on ${opts.app} (TTL ${r.ttl} after the last push)\n`);
    });

  program
    .command("review-apps:disable")
    .description("stop creating review apps and destroy the existing ones")
    .addOption(appOption())
    .action(async (opts: { app: string }) => {
      const r = await ctx
        .api()
        .json<{ destroyed: string[] }>("POST", apiPath("apps", opts.app, "review-apps", "disable"));
      ctx.out(
        `Review apps disabled on ${opts.app}${r.destroyed.length ? `; destroyed ${r.destroyed.join(", ")}` : ""}\n`,
      );
    });

  program
    .command("review-apps:create")
    .description("create or update the review app of a branch from the connected repository (for CI without webhooks)")
    .addOption(appOption())
    .argument("<branch>", "the branch")
    .addOption(new Option("--commit <sha>", "a full 40-character commit of the branch (default: its head)"))
    .action(async (branch: string, opts: { app: string; commit?: string }) => {
      const r = await ctx
        .api()
        .json<{ reviewApp: ReviewAppView; deploy: DeployView }>("POST", apiPath("apps", opts.app, "review-apps"), {
          branch: checkBranch(branch),
          ...(opts.commit ? { commit: opts.commit } : {}),
        });
      ctx.out(`Review app ${r.reviewApp.app} for ${branch}: deploy #${r.deploy.number}\n`);
      await follow(
        ctx,
        r.deploy,
        (d) => `Deploy #${d.number} succeeded: release v${d.releaseVersion}\nReview app at ${r.reviewApp.url}\n`,
      );
    });

  program
    .command("review-apps:destroy")
    .description("destroy the review app of a branch: containers, images, routes and records")
    .addOption(appOption())
    .argument("<branch>", "the branch")
    .action(async (branch: string, opts: { app: string }) => {
      const r = await ctx
        .api()
        .json<{ destroyed: string }>(
          "DELETE",
          `${apiPath("apps", opts.app, "review-apps")}?branch=${encodeURIComponent(checkBranch(branch))}`,
        );
      ctx.out(`Destroyed review app ${r.destroyed}\n`);
    });

  program
    .command("review-apps:config")
    .description("show the config vars review apps get on top of the parent's")
    .addOption(appOption())
    .action(async (opts: { app: string }) => {
      const c = await ctx.api().json<Record<string, string>>("GET", apiPath("apps", opts.app, "review-apps", "config"));
      ctx.out(
        Object.keys(c).length
          ? Object.entries(c)
              .map(([k, v]) => `${k}=${v}\n`)
              .join("")
          : `No review app overrides on ${opts.app}.\n`,
      );
    });

  program
    .command("review-apps:config:set")
    .description("set config vars that review apps get on top of the parent's")
    .addOption(appOption())
    .argument("<assignments...>", "KEY=value pairs")
    .action(async (args: string[], opts: { app: string }) => {
      let set: [string, string][];
      try {
        set = parseAssignments(args);
      } catch (e) {
        if (isAppError(e)) throw usageError(e.message, e.hint);
        throw e;
      }
      for (const [k] of set) {
        const p = keyProblem(k);
        if (p) throw usageError(p.message, p.hint);
      }
      await ctx
        .api()
        .json("PATCH", apiPath("apps", opts.app, "review-apps", "config"), { set: Object.fromEntries(set) });
      ctx.out(`Set ${set.map(([k]) => k).join(", ")} for the review apps of ${opts.app}\n`);
    });

  program
    .command("releases:promote")
    .description("deploy the app's live image (no rebuild) to another app, with that app's own config")
    .addOption(appOption())
    .requiredOption("--to <app>", "the target app, e.g. production")
    .action(async (opts: { app: string; to: string }) => {
      const started = await ctx
        .api()
        .json<DeployView & { image: string }>("POST", apiPath("apps", opts.app, "promote"), { to: opts.to });
      ctx.out(`Promoting ${opts.app}'s image to ${opts.to} as ${started.image}: deploy #${started.number}\n`);
      await follow(ctx, started, (d) => `Promoted: ${opts.to} v${d.releaseVersion} runs ${started.image}\n`);
    });
}
