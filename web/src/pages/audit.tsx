import { useState } from "preact/hooks";
import { api, type AuditEntry } from "../api";
import { useLoad } from "../load";
import { ErrorNotice } from "../ui";

export function AuditPage() {
  const [app, setApp] = useState("");
  const [filter, setFilter] = useState("");
  const list = useLoad(
    () =>
      api<AuditEntry[]>("GET", `/audit?${new URLSearchParams({ limit: "200", ...(filter ? { app: filter } : {}) })}`),
    [filter],
  );
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Audit log</h1>
          <p>
            Every change made through the API or this page: who, what, which app, when, from where, and whether it
            worked. Never a secret value.
          </p>
        </div>
      </div>
      <form
        class="inline-form panel"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(app.trim());
        }}
      >
        <div class="field">
          <label for="audit-app">App</label>
          <input
            id="audit-app"
            type="text"
            value={app}
            onInput={(e) => setApp(e.currentTarget.value)}
            placeholder="all apps"
            autoComplete="off"
          />
        </div>
        <button type="submit">Filter</button>
        <button type="button" onClick={() => list.reload()}>
          Refresh
        </button>
      </form>
      <section class="panel table-wrap" aria-label="Entries">
        <ErrorNotice error={list.error} />
        {list.data && list.data.length === 0 && <p class="muted">No entries.</p>}
        {list.data && list.data.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">App</th>
                <th scope="col" class="hide-sm">
                  From
                </th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((e) => (
                <tr key={e.id}>
                  <td class="small">
                    <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>
                  </td>
                  <td>{e.actor}</td>
                  <td class="mono small">{e.action}</td>
                  <td>{e.app ?? ""}</td>
                  <td class="hide-sm mono small">{e.ip}</td>
                  <td>
                    <span class={`badge ${e.ok ? "ok" : "failed"}`}>
                      {e.ok ? "ok" : "failed"} {e.status}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
