import { api, path, type DeployView, type ReleaseView } from "../api";
import { useLoad } from "../load";
import { Ago, ConfirmButton, ErrorNotice } from "../ui";
import type { TabProps } from "./app";

export function ReleasesTab({ app, version, canChange }: TabProps) {
  const list = useLoad(() => api<ReleaseView[]>("GET", path("apps", app.name, "releases")), [app.name, version]);
  const rollback = async (v: number) => {
    const d = await api<DeployView>("POST", path("apps", app.name, "rollback"), { version: v });
    location.hash = `#/apps/${encodeURIComponent(app.name)}/deploys/${d.id}`;
  };
  return (
    <section class="panel" aria-labelledby="h-releases">
      <h2 id="h-releases">Releases</h2>
      <ErrorNotice error={list.error} />
      {list.data && list.data.length === 0 && <p class="muted">No releases yet.</p>}
      {list.data && list.data.length > 0 && (
        <div class="table-wrap">
          <table>
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
                  <td>
                    <strong>v{r.version}</strong> {r.live && <span class="badge running">live</span>}
                  </td>
                  <td>
                    {r.description}
                    <div class="small muted mono">{r.image}</div>
                  </td>
                  <td>{r.createdBy ?? "—"}</td>
                  <td>
                    <Ago at={r.createdAt} />
                  </td>
                  <td>
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
  );
}
