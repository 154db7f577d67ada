import { AppError } from "../errors/app-error.js";
import type { Apps } from "../engine/apps.js";
import type { GitflowStore } from "./gitflow-store.js";
import { pushAction } from "./push-action.js";
import type { ReviewApps } from "./review-apps.js";
import { validateBranch } from "./ref-format.js";

/**
 * Where a `git push` of a branch deploys (the builds route with its ref): only
 * the app's branch deploys the app; another branch makes or updates its review
 * app when review apps are on, and is refused otherwise, as Heroku refuses a
 * push to a branch it does not deploy. Decided by pushAction, as for webhooks.
 */
export class PushTargets {
  constructor(
    private readonly apps: Apps,
    private readonly store: GitflowStore,
    private readonly reviewApps: ReviewApps,
  ) {}

  /**
   * Whether a push of `branch` deploys the app itself or the branch's review app; refused (branch_refused)
   * when neither. Changes nothing, so the route can refuse before it reads the upload.
   */
  plan(appName: string, branchText: string): { app: string; branch: string; reviewApp: boolean } {
    const app = this.apps.get(appName);
    const branch = validateBranch(branchText);
    const own = this.store.appBranch(app.name);
    const action = pushAction(
      app.name,
      { ref: `refs/heads/${branch}`, branch, deleted: false, after: null },
      {
        sourceBranch: own,
        reviewAppsEnabled: this.store.reviewSettings(app.name)?.enabled === true,
        reviewAppOfBranch: this.store.reviewAppOfBranch(app.name, branch)?.app ?? null,
      },
    );
    if (action.kind === "deploy") return { app: app.name, branch, reviewApp: false };
    if (action.kind === "review") return { app: app.name, branch, reviewApp: true };
    throw new AppError(
      "branch_refused",
      `${branch} is not ${app.name}'s branch (${own}), and review apps are off: nothing was deployed`,
      `Push ${own} (git push yadokari ${branch}:${own}), make ${branch} the app's branch (yk git:branch -a ${app.name} ${branch}), or enable review apps (yk review-apps:enable -a ${app.name}).`,
    );
  }

  /** The app a planned push deploys to: the app, or its branch's review app (made if missing). */
  async target(plan: { app: string; branch: string; reviewApp: boolean }): Promise<string> {
    return plan.reviewApp ? (await this.reviewApps.ensure(plan.app, plan.branch)).app : plan.app;
  }
}
