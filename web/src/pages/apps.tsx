import type { AppView, Me } from "../api";
import { Ago, Badge } from "../ui";

/** Parents first, each followed by its review apps (which are apps of their own, named after the branch). */
function grouped(apps: AppView[]): { app: AppView; child: boolean }[] {
  const names = new Set(apps.map((a) => a.name));
  const children = (parent: string) =>
    apps.filter((a) => a.reviewOf?.parent === parent).sort((a, b) => a.name.localeCompare(b.name));
  const roots = apps
    .filter((a) => !a.reviewOf || !names.has(a.reviewOf.parent))
    .sort((a, b) => a.name.localeCompare(b.name));
  return roots.flatMap((app) => [{ app, child: false }, ...children(app.name).map((c) => ({ app: c, child: true }))]);
}

export function AppsPage({ apps, me }: { apps: AppView[] | null; me: Me }) {
  const canCreate = me.role === "admin" || (me.role === "deployer" && me.apps === "*");
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Apps</h1>
          <p>Every app you can see, with its live release and status, updated as it changes.</p>
        </div>
        {canCreate && (
          <a class="button primary" href="#/new">
            New app
          </a>
        )}
      </div>
      {apps === null ? (
        <p class="muted">Loading…</p>
      ) : apps.length === 0 ? (
        <div class="panel empty">
          <h2>No apps yet</h2>
          <p>
            {canCreate ? (
              <>
                <a href="#/new">Create your first app</a>, then deploy it from its page.
              </>
            ) : (
              "Ask an admin to give you access to an app."
            )}
          </p>
        </div>
      ) : (
        <div class="panel table-wrap">
          <table>
            <caption class="skip">Apps</caption>
            <thead>
              <tr>
                <th scope="col">App</th>
                <th scope="col">Status</th>
                <th scope="col">Release</th>
                <th scope="col">Hostnames</th>
                <th scope="col" class="hide-sm">
                  Last deploy
                </th>
              </tr>
            </thead>
            <tbody>
              {grouped(apps).map(({ app, child }) => (
                <tr class={child ? "child" : ""} key={app.name}>
                  <td>
                    <a href={`#/apps/${encodeURIComponent(app.name)}`}>
                      <strong>{app.name}</strong>
                    </a>
                    {app.reviewOf && (
                      <div class="small muted">
                        review app of {app.reviewOf.parent} · branch <code>{app.reviewOf.branch}</code>
                      </div>
                    )}
                  </td>
                  <td>
                    <Badge status={app.status} />
                  </td>
                  <td>{app.liveRelease ? `v${app.liveRelease}` : <span class="muted">none</span>}</td>
                  <td>
                    {app.urls.map((u) => (
                      <div>
                        <a href={u} target="_blank" rel="noopener noreferrer">
                          {u.replace(/^https?:\/\//, "")}
                        </a>
                      </div>
                    ))}
                  </td>
                  <td class="hide-sm">
                    {app.lastDeploy ? (
                      <>
                        #{app.lastDeploy.id} <Badge status={app.lastDeploy.status} />{" "}
                        <Ago at={app.lastDeploy.createdAt} />
                      </>
                    ) : (
                      <span class="muted">never</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
