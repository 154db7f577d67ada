/** What a webhook's push to an app's repository triggers. Pure: the caller reads the store and applies it. */
export type PushAction =
  | { kind: "ignore"; reason: string }
  /** the app's own branch moved: deploy its new head */
  | { kind: "deploy"; branch: string; commit: string | null }
  /** another branch moved, review apps on: its review app (made if missing) deploys it */
  | { kind: "review"; branch: string; commit: string | null }
  /** a branch with a review app was deleted: the review app goes */
  | { kind: "destroy-review"; branch: string; reviewApp: string };

export function pushAction(
  app: string,
  /** `after`: the new head (null for a deleted branch) */
  push: { ref: string; branch: string | null; deleted: boolean; after: string | null },
  state: {
    /** the app's connected branch; null without a connected repository */
    sourceBranch: string | null;
    reviewAppsEnabled: boolean;
    /** the review app of the pushed branch, if there is one */
    reviewAppOfBranch: string | null;
  },
): PushAction {
  const { branch } = push;
  if (branch === null) return { kind: "ignore", reason: `${push.ref} is not a branch` };
  if (state.sourceBranch === null) return { kind: "ignore", reason: "no repository connected (yk git:connect)" };
  if (branch === state.sourceBranch) {
    if (push.deleted)
      return { kind: "ignore", reason: `${app}'s own branch ${branch} was deleted; the app keeps running` };
    return { kind: "deploy", branch, commit: push.after };
  }
  if (!state.reviewAppsEnabled)
    return {
      kind: "ignore",
      reason: `${branch} is not ${app}'s branch ${state.sourceBranch}, and review apps are off`,
    };
  if (push.deleted) {
    if (!state.reviewAppOfBranch)
      return { kind: "ignore", reason: `branch ${branch} was deleted; it had no review app` };
    return { kind: "destroy-review", branch, reviewApp: state.reviewAppOfBranch };
  }
  return { kind: "review", branch, commit: push.after };
}
