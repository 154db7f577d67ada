import { useState } from "preact/hooks";
import { api, type AuditEntry } from "../api";
import { useLoad } from "../load";
import { Ago, ErrorNotice } from "../ui";

const PAGE = 50;

export function AuditPage() {
  const [app, setApp] = useState("");
  const [filter, setFilter] = useState("");
  // paging back: each "Older" remembers the id the page it left ended with (the API's `before`)
  const [pages, setPages] = useState<number[]>([]);
  const before = pages.at(-1);
  const list = useLoad(
    () =>
      api<AuditEntry[]>(
        "GET",
        `/audit?${new URLSearchParams({
          limit: String(PAGE),
          ...(filter ? { app: filter } : {}),
          ...(before ? { before: String(before) } : {}),
        })}`,
      ),
    [filter, before],
  );
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Audit log</h1>
          <p>
            Every change made through the API, this page, git pushes and webhooks: who, what, which app, when, from
            where, and whether it worked. Names, never a secret value.
          </p>
        </div>
      </div>
      <form
        class="inline-form panel"
        onSubmit={(e) => {
          e.preventDefault();
          setPages([]);
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
      <section class="panel" aria-label="Entries">
        <ErrorNotice error={list.error} />
        {list.data && list.data.length === 0 && <p class="muted">{before ? "No older entries." : "No entries."}</p>}
        {list.data && list.data.length > 0 && (
          <div class="table-wrap">
            <table class="stack audit">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">App</th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((e) => (
                  <tr key={e.id}>
                    <td data-label="When" class="small nowrap">
                      <Ago at={e.at} />
                    </td>
                    <td data-label="Who" class="wrap">
                      {e.actor}
                      <div class="small muted mono">{e.ip}</div>
                    </td>
                    <td data-label="What" class="wrap">
                      {e.summary}
                      <div class="small muted mono wrap">{e.action}</div>
                    </td>
                    <td data-label="App">{e.app ?? ""}</td>
                    <td data-label="Result">
                      <span class={`badge ${e.ok ? "ok" : "failed"}`}>
                        {e.ok ? "ok" : "failed"} {e.status}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {(before || (list.data && list.data.length === PAGE)) && (
          <div class="row pager">
            <button type="button" disabled={!before} onClick={() => setPages(pages.slice(0, -1))}>
              Newer entries
            </button>
            <button
              type="button"
              disabled={!list.data || list.data.length < PAGE}
              onClick={() => list.data && setPages([...pages, list.data[list.data.length - 1].id])}
            >
              Older entries
            </button>
          </div>
        )}
      </section>
    </>
  );
}
