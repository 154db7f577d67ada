import { AppError } from "../../errors/app-error.js";
import type { EngineContext } from "../context.js";
import type { CommitChange, CommitSnapshot } from "../plan/steps.js";
import { configDelta } from "../lifecycle/release-change.js";

/**
 * The commit step: the live release, the app's config vars, formation and
 * standby set, in one transaction. Returns what it found, so that undoing
 * the commit restores exactly that.
 */
export function commitChange(
  ctx: Pick<EngineContext, "store" | "canaries">,
  app: string,
  change: CommitChange,
): CommitSnapshot {
  const { store, canaries } = ctx;
  return store.tx(() => {
    const a = store.getApp(app);
    if (!a) throw new AppError("not_found", `app ${app} was destroyed during its deploy`);
    const before: CommitSnapshot = {
      releaseId: a.liveReleaseId,
      config: store.configVars(app),
      formation: a.formation,
      stopped: a.stopped,
      standby: canaries.standby(app),
    };
    if (change.config) {
      store.changeConfigVars(
        app,
        Object.fromEntries([
          ...Object.entries(change.config.set),
          ...change.config.unset.map((k) => [k, null] as const),
        ]),
      );
    }
    if (change.formation) store.setFormation(app, change.formation);
    if (change.stopped !== undefined) store.setStopped(app, change.stopped);
    if (change.standby === "drop") canaries.dropStandby(app);
    else if (change.standby) canaries.setStandby(app, change.standby.releaseId, change.standby.until);
    store.setLiveRelease(app, change.releaseId);
    return before;
  });
}

/** The commit that puts the app back as a snapshot found it (undoing a commit). */
export function restoreChange(snapshot: CommitSnapshot, currentConfig: Record<string, string>): CommitChange {
  return {
    releaseId: snapshot.releaseId,
    config: configDelta(currentConfig, snapshot.config),
    formation: snapshot.formation,
    stopped: snapshot.stopped,
    standby: snapshot.standby ?? "drop",
  };
}
