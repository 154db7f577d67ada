import { useState } from "preact/hooks";
import { api, ApiError, path, type DomainView } from "../api";
import { useAction, useLoad } from "../load";
import { ConfirmButton, described, ErrorNotice, Field } from "../ui";
import { hostnameProblem } from "../validate";
import type { TabProps } from "./app";

export function DomainsTab({ app, version, canChange }: TabProps) {
  const list = useLoad(() => api<DomainView[]>("GET", path("apps", app.name, "domains")), [app.name, version]);
  const [host, setHost] = useState("");
  const { busy, error, run } = useAction();
  const local = host ? hostnameProblem(host) : null;
  const fieldError =
    local ??
    (error instanceof ApiError && ["invalid_domain", "domain_taken"].includes(error.code)
      ? `${error.message}. ${error.hint}`
      : null);
  const add = async (e: Event) => {
    e.preventDefault();
    if (!host || local) return;
    await run(async () => {
      await api("POST", path("apps", app.name, "domains"), { hostname: host });
      setHost("");
      list.reload();
    });
  };
  return (
    <section class="panel" aria-labelledby="h-domains">
      <h2 id="h-domains">Domains</h2>
      <ErrorNotice error={list.error} />
      {list.data && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Hostname</th>
                <th scope="col">Kind</th>
                <th scope="col">
                  <span class="skip">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((d) => (
                <tr key={d.hostname}>
                  <td class="mono">{d.hostname}</td>
                  <td>{d.kind}</td>
                  <td>
                    {canChange && d.kind === "custom" && (
                      <ConfirmButton
                        label={`Remove ${d.hostname}`}
                        danger
                        confirmWord={app.name}
                        title={`Remove ${d.hostname}?`}
                        body={
                          <p>
                            The router stops sending {d.hostname} to {app.name} at once.
                          </p>
                        }
                        onConfirm={async () => {
                          await api("DELETE", path("apps", app.name, "domains", d.hostname));
                          list.reload();
                        }}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canChange && (
        <form class="inline-form" onSubmit={add} noValidate>
          <Field id="domain" label="Add a hostname" hint="Point its DNS at this server first." error={fieldError}>
            <input
              type="text"
              {...described("domain", fieldError, true)}
              value={host}
              onInput={(e) => setHost(e.currentTarget.value.trim())}
              placeholder="www.example.com"
              autoComplete="off"
              spellcheck={false}
            />
          </Field>
          <button type="submit" class="primary" disabled={busy || !host || !!local}>
            Add
          </button>
          {error && !fieldError && <ErrorNotice error={error} />}
        </form>
      )}
    </section>
  );
}
