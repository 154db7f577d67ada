import type { Command } from "commander";
import { apiPath } from "../api-client.js";
import { renderJson } from "../output.js";
import { appOption, jsonOption, type CliContext } from "./context.js";
import { checkBranch, type GitInfo } from "./gitflow.js";

/**
 * `yk git:branch -a APP [BRANCH]`: shows or sets the app's branch, the only one whose pushes deploy the app
 * (git push and webhooks); another branch makes its review app when review apps are on, and is refused otherwise.
 */
export function registerGitBranch(program: Command, ctx: CliContext): void {
  program
    .command("git:branch")
    .description("show or set the app's branch: only pushes of it deploy the app (default main)")
    .addOption(appOption())
    .addOption(jsonOption())
    .argument("[branch]", "the new branch")
    .action(async (branch: string | undefined, opts: { app: string; json?: boolean }) => {
      const api = ctx.api();
      const info =
        branch === undefined
          ? await api.json<GitInfo>("GET", apiPath("apps", opts.app, "git"))
          : await api.json<GitInfo>("PUT", apiPath("apps", opts.app, "git", "branch"), { branch: checkBranch(branch) });
      if (opts.json) return ctx.out(renderJson({ app: info.app, branch: info.branch }));
      const others = info.reviewApps.enabled
        ? "a push of another branch deploys that branch's review app"
        : `a push of another branch is refused (review apps are off: yk review-apps:enable -a ${info.app})`;
      ctx.out(`${branch === undefined ? "" : "Set: "}${info.app} deploys from branch ${info.branch}; ${others}\n`);
    });
}
