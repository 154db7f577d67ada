import type { AppView, DeployView, ReleaseView } from "./contract.js";
import { webCount, type App, type Deploy, type Release } from "../domain/types.js";
import type { Store } from "../store/store.js";
import { appUrls } from "../engine/urls.js";

export interface ViewContext {
  store: Store;
  /** a review app's parent and branch */
  reviewOf: (app: string) => { parent: string; branch: string } | null;
  domain: string;
  httpPort: number;
  apiBase: string;
}

/**
 * The URLs shown for an app. A review app is shown at `<branch slug>.<parent>.<domain>` only (the host
 * its parent's users expect, one form everywhere), not also at its own default `<app>-<slug>.<domain>`.
 */
function shownUrls(v: ViewContext, app: string, reviewOf: { parent: string } | null): string[] {
  const domains = v.store.listDomains(app);
  const urls = appUrls(app, v.domain, domains, v.httpPort);
  return reviewOf && domains.length > 0 ? urls.slice(1) : urls;
}

export function appView(v: ViewContext, app: App): AppView {
  const domains = v.store.listDomains(app.name);
  const reviewOf = v.reviewOf(app.name);
  const last = v.store.listDeploys(app.name, 1)[0];
  const live = app.liveReleaseId ? v.store.getRelease(app.liveReleaseId) : null;
  const crashLoop = v.store.processHealth(app.name).some((h) => h.crashesInRow >= 3);
  const status: AppView["status"] =
    last && (last.status === "queued" || last.status === "building" || last.status === "deploying")
      ? "deploying"
      : live && app.stopped
        ? "stopped"
        : live && crashLoop
          ? "crashed"
          : live
            ? "running"
            : last?.status === "failed"
              ? "failed"
              : "new";
  return {
    name: app.name,
    createdAt: app.createdAt,
    webReplicas: webCount(app),
    formation: app.formation,
    liveRelease: live?.version ?? null,
    status,
    urls: shownUrls(v, app.name, reviewOf),
    domains,
    gitUrl: `${v.apiBase}/git/${app.name}.git`,
    reviewOf,
  };
}

export function releaseView(r: Release, liveId: number | null): ReleaseView {
  return {
    version: r.version,
    image: r.image,
    commit: r.commit,
    description: r.description,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    processes: r.processes,
    live: r.id === liveId,
  };
}

export function deployView(v: ViewContext, d: Deploy): DeployView {
  const release = d.releaseId ? v.store.getRelease(d.releaseId) : null;
  return {
    id: d.id,
    app: d.app,
    status: d.status,
    source: d.source,
    commit: d.commit,
    ref: d.ref,
    releaseVersion: release?.version ?? null,
    reason: d.reason,
    errorCode: d.errorCode,
    supersededBy: d.supersededBy,
    containerLog: d.containerLog,
    steps: v.store.listSteps(d.id),
    createdAt: d.createdAt,
    finishedAt: d.finishedAt,
    urls: shownUrls(v, d.app, v.reviewOf(d.app)),
  };
}
