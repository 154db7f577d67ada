import { useEffect, useState } from "preact/hooks";
import { api, path, type AppView, type Me } from "../api";
import { Badge, ErrorNotice } from "../ui";
import { OverviewTab } from "./app-overview";
import { DeploysTab } from "./app-deploys";
import { ReleasesTab } from "./app-releases";
import { ConfigTab } from "./app-config";
import { DomainsTab } from "./app-domains";
import { LogsTab } from "./app-logs";
import { SettingsTab } from "./app-settings";
import { CronTab } from "./app-cron";
import { GitTab } from "./app-git";

const TABS = [
  ["overview", "Overview"],
  ["deploys", "Deploys"],
  ["releases", "Releases"],
  ["config", "Config vars"],
  ["domains", "Domains"],
  ["cron", "Cron"],
  ["git", "Git"],
  ["logs", "Logs"],
  ["settings", "Settings"],
] as const;

/** What every tab gets: the app as pushed live, who is looking, and a counter that changes whenever the app does. */
export interface TabProps {
  app: AppView;
  me: Me;
  /** changes when the app's status, release or last deploy changes: tabs reload their data on it */
  version: string;
  canChange: boolean;
  sub?: string;
}

export function AppPage({
  name,
  tab,
  sub,
  me,
  live,
}: {
  name: string;
  tab: string;
  sub?: string;
  me: Me;
  live: AppView | null;
}) {
  const [loaded, setLoaded] = useState<AppView | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setError(null);
    api<AppView>("GET", path("apps", name)).then(setLoaded, setError);
  }, [name]);
  const app = live ?? loaded;
  if (error)
    return (
      <>
        <h1>{name}</h1>
        <ErrorNotice error={error} />
        <p>
          <a href="#/">Back to the apps</a>
        </p>
      </>
    );
  if (!app) return <p class="muted">Loading {name}…</p>;
  const version = JSON.stringify([
    app.status,
    app.liveRelease,
    app.lastDeploy?.id,
    app.lastDeploy?.status,
    app.domains,
  ]);
  const props: TabProps = { app, me, version, canChange: me.role !== "viewer", sub };
  const current = TABS.some(([k]) => k === tab) ? tab : "overview";
  return (
    <>
      <div class="page-head">
        <div>
          <p class="small">
            <a href="#/">Apps</a> /
          </p>
          <h1>
            {app.name} <Badge status={app.status} />
          </h1>
          <p>
            {app.liveRelease ? `Live release v${app.liveRelease}` : "Not deployed yet"}
            {app.reviewOf && (
              <>
                {" "}
                · review app of <a href={`#/apps/${encodeURIComponent(app.reviewOf.parent)}`}>
                  {app.reviewOf.parent}
                </a>{" "}
                (branch <code>{app.reviewOf.branch}</code>)
              </>
            )}
          </p>
        </div>
        <div class="row">
          {app.urls[0] && (
            <a class="button" href={app.urls[0]} target="_blank" rel="noopener noreferrer">
              Open app ↗
            </a>
          )}
        </div>
      </div>
      <nav class="tabs" aria-label={`${app.name} sections`}>
        {TABS.map(([key, label]) => (
          <a href={`#/apps/${encodeURIComponent(app.name)}/${key}`} aria-current={current === key ? "page" : undefined}>
            {label}
          </a>
        ))}
      </nav>
      {current === "overview" && <OverviewTab {...props} />}
      {current === "deploys" && <DeploysTab {...props} />}
      {current === "releases" && <ReleasesTab {...props} />}
      {current === "config" && <ConfigTab {...props} />}
      {current === "domains" && <DomainsTab {...props} />}
      {current === "cron" && <CronTab {...props} />}
      {current === "git" && <GitTab {...props} />}
      {current === "logs" && <LogsTab {...props} />}
      {current === "settings" && <SettingsTab {...props} />}
    </>
  );
}
