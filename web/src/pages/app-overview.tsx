import { useState } from "preact/hooks";
import { api, path, type ContainerView, type ProcessView } from "../api";
import { useAction, useLoad } from "../load";
import { Ago, Badge, ConfirmButton, ErrorNotice } from "../ui";
import type { TabProps } from "./app";
import { CanaryPanel, TrafficPanel } from "./app-traffic";

function ScaleControl({ app, p, onDone }: { app: string; p: ProcessView; onDone: () => void }) {
  const [n, setN] = useState(String(p.quantity));
  const { busy, error, run } = useAction();
  const id = `scale-${p.type}`;
  const bad = !/^\d{1,2}$/.test(n) || Number(n) > 50;
  const scale = async (e: Event) => {
    e.preventDefault();
    if (bad) return;
    await run(async () => {
      await api("PATCH", path("apps", app, "formation"), { [p.type]: Number(n) });
      onDone();
    });
  };
  return (
    <form class="row" onSubmit={scale}>
      <label class="skip" for={id}>
        Containers of {p.type}
      </label>
      <input
        id={id}
        class="narrow"
        type="number"
        min={0}
        max={50}
        value={n}
        onInput={(e) => setN(e.currentTarget.value)}
        aria-invalid={bad ? "true" : undefined}
      />
      <button type="submit" disabled={busy || bad || Number(n) === p.quantity}>
        {busy ? "Scaling…" : "Scale"}
      </button>
      {bad && <span class="field-error">0 to 50</span>}
      <ErrorNotice error={error} />
    </form>
  );
}

export function OverviewTab({ app, version, canChange }: TabProps) {
  const formation = useLoad(
    () => api<{ stopped: boolean; processes: ProcessView[] }>("GET", path("apps", app.name, "formation")),
    [app.name, version],
  );
  const ps = useLoad(() => api<ContainerView[]>("GET", path("apps", app.name, "ps")), [app.name, version]);
  const reload = () => {
    formation.reload();
    ps.reload();
  };
  return (
    <>
      <div class="grid2">
        <section class="panel" aria-labelledby="h-urls">
          <h2 id="h-urls">Hostnames</h2>
          {app.urls.length ? (
            <ul>
              {app.urls.map((u) => (
                <li>
                  <a href={u} target="_blank" rel="noopener noreferrer">
                    {u}
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">None.</p>
          )}
          <p class="small muted">
            Push with git: <code>{app.gitUrl}</code>
          </p>
        </section>
        <section class="panel" aria-labelledby="h-last">
          <h2 id="h-last">Last deploy</h2>
          {app.lastDeploy ? (
            <p>
              <a href={`#/apps/${encodeURIComponent(app.name)}/deploys/${app.lastDeploy.id}`}>
                #{app.lastDeploy.number}
              </a>{" "}
              <Badge status={app.lastDeploy.status} /> <Ago at={app.lastDeploy.createdAt} />
            </p>
          ) : (
            <p class="muted">
              Never deployed. <a href={`#/apps/${encodeURIComponent(app.name)}/deploys`}>Deploy it</a>.
            </p>
          )}
        </section>
      </div>
      <CanaryPanel app={app.name} version={version} canChange={canChange} />
      {app.liveRelease && <TrafficPanel app={app.name} version={version} />}
      <section class="panel" aria-labelledby="h-proc">
        <h2 id="h-proc">
          Processes
          {canChange && app.liveRelease && (
            <ConfirmButton
              label="Restart all"
              title={`Restart ${app.name}?`}
              body={
                <p>
                  Every container is replaced with zero downtime: new ones start and pass their health check before the
                  old ones stop.
                </p>
              }
              onConfirm={async () => {
                await api("POST", path("apps", app.name, "ps", "restart"), {});
                reload();
              }}
            />
          )}
        </h2>
        <ErrorNotice error={formation.error} />
        {!formation.data && !formation.error && <p class="muted">Loading…</p>}
        {formation.data?.stopped && <div class="notice info">The app is stopped.</div>}
        {formation.data && formation.data.processes.length === 0 && (
          <p class="muted">No processes yet: deploy a release first.</p>
        )}
        {formation.data && formation.data.processes.length > 0 && (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Command</th>
                  <th scope="col">Running</th>
                  <th scope="col">Restarts</th>
                  <th scope="col">Scale</th>
                </tr>
              </thead>
              <tbody>
                {formation.data.processes.map((p) => (
                  <tr key={p.type}>
                    <td>
                      <strong>{p.type}</strong>
                      {p.crashLoop && (
                        <div>
                          <Badge status="crashed" />{" "}
                          <span class="small">
                            backing off{p.lastExitCode !== null ? `, last exit ${p.lastExitCode}` : ""}
                          </span>
                        </div>
                      )}
                    </td>
                    <td>
                      <code>{p.command ?? "(image default)"}</code>
                    </td>
                    <td class="num">
                      {p.running} / {p.quantity}
                    </td>
                    <td class="num">{p.restarts}</td>
                    <td>
                      {canChange ? (
                        <ScaleControl key={`${p.type}-${p.quantity}`} app={app.name} p={p} onDone={reload} />
                      ) : (
                        p.quantity
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section class="panel" aria-labelledby="h-ctr">
        <h2 id="h-ctr">Containers</h2>
        <ErrorNotice error={ps.error} />
        {!ps.data && !ps.error && <p class="muted">Loading…</p>}
        {ps.data && ps.data.length === 0 && <p class="muted">No containers.</p>}
        {ps.data && ps.data.length > 0 && (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Type</th>
                  <th scope="col">Release</th>
                  <th scope="col">State</th>
                  <th scope="col" class="hide-sm">
                    Status
                  </th>
                  <th scope="col">Traffic</th>
                </tr>
              </thead>
              <tbody>
                {ps.data.map((c) => (
                  <tr key={c.id}>
                    <td class="mono small">{c.name}</td>
                    <td>{c.process}</td>
                    <td>v{c.release}</td>
                    <td>
                      <Badge status={c.state === "exited" ? (c.exitCode === 0 ? "succeeded" : "failed") : c.state} />
                      {c.state === "exited" && c.exitCode !== 0 && (
                        <span class="small muted"> exit {c.exitCode ?? "?"}</span>
                      )}
                    </td>
                    <td class="hide-sm small">{c.status}</td>
                    <td>{c.routed ? "routed" : <span class="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
