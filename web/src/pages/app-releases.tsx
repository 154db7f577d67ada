import { useState } from "preact/hooks";
import { api, path, type AppView, type DeployView, type ReleaseView } from "../api";
import { useLoad } from "../load";
import { Ago, ConfirmButton, ErrorNotice, Field } from "../ui";
import type { TabProps } from "./app";

/** Promotion: the live image of this app deployed to another (staging → production), with that app's own config. */
function PromotePanel({ app, live }: { app: string; live: number }) {
  const apps = useLoad(() => api<AppView[]>("GET", "/apps"), [app]);
  const targets = (apps.data ?? []).filter((a) => a.name !== app && !a.reviewOf);
  const [to, setTo] = useState("");
  const target = to || targets[0]?.name || "";
  return (
    <section class="panel" aria-labelledby="h-promote">
      <h2 id="h-promote">Promote</h2>
      <p class="small muted">
        Deploys {app}'s live image (v{live}) to another app without a rebuild, with that app's own config vars and
        formation. Same as <code>yk releases:promote -a {app} --to APP</code>.
      </p>
      <ErrorNotice error={apps.error} />
      {apps.data && targets.length === 0 && <p class="muted">No other app to promote to.</p>}
      {targets.length > 0 && (
        <div class="inline-form">
          <Field id="promote-to" label="Promote to">
            <select id="promote-to" value={target} onChange={(e) => setTo(e.currentTarget.value)}>
              {targets.map((a) => (
                <option value={a.name}>{a.name}</option>
              ))}
            </select>
          </Field>
          <ConfirmButton
            label={`Promote to ${target}`}
            confirmWord={target}
            title={`Promote ${app} v${live} to ${target}?`}
            body={
              <p>
                {target} gets a new release running {app}'s image, deployed with zero downtime.
              </p>
            }
            onConfirm={async () => {
              const d = await api<DeployView>("POST", path("apps", app, "promote"), { to: target });
              location.hash = `#/apps/${encodeURIComponent(target)}/deploys/${d.id}`;
            }}
          />
        </div>
      )}
    </section>
  );
}

export function ReleasesTab({ app, version, canChange }: TabProps) {
  const list = useLoad(() => api<ReleaseView[]>("GET", path("apps", app.name, "releases")), [app.name, version]);
  const rollback = async (v: number) => {
    const d = await api<DeployView>("POST", path("apps", app.name, "rollback"), { version: v });
    location.hash = `#/apps/${encodeURIComponent(app.name)}/deploys/${d.id}`;
  };
  return (
    <>
      <section class="panel" aria-labelledby="h-releases">
        <h2 id="h-releases">Releases</h2>
        <ErrorNotice error={list.error} />
        {list.data && list.data.length === 0 && <p class="muted">No releases yet.</p>}
        {list.data && list.data.length > 0 && (
          <div class="table-wrap">
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">What</th>
                  <th scope="col">Who</th>
                  <th scope="col">When</th>
                  <th scope="col">
                    <span class="skip">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((r) => (
                  <tr key={r.version}>
                    <td data-label="Version">
                      <strong>v{r.version}</strong> {r.live && <span class="badge running">live</span>}
                    </td>
                    <td data-label="What">
                      {r.description}
                      <div class="small muted mono wrap">{r.image}</div>
                    </td>
                    <td data-label="Who">{r.createdBy ?? "—"}</td>
                    <td data-label="When">
                      <Ago at={r.createdAt} />
                    </td>
                    <td data-label="Actions">
                      {canChange && !r.live && (
                        <ConfirmButton
                          label={`Roll back to v${r.version}`}
                          title={`Roll back ${app.name} to v${r.version}?`}
                          body={
                            <p>
                              A new release is made with v{r.version}'s image, config and formation, and deployed with
                              zero downtime.
                            </p>
                          }
                          onConfirm={() => rollback(r.version)}
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {canChange && app.liveRelease && <PromotePanel app={app.name} live={app.liveRelease} />}
    </>
  );
}
