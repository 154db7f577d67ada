import { useState } from "preact/hooks";
import { api, ApiError, path, type DeployView } from "../api";
import { useLoad } from "../load";
import { ConfirmButton, described, ErrorNotice, Field } from "../ui";
import { configKeyProblem } from "../validate";
import type { TabProps } from "./app";

type Config = Record<string, string | null>;
interface ChangeResult {
  config: Config;
  deploy: DeployView | null;
}

function Value({ app, k, hidden }: { app: string; k: string; hidden: boolean }) {
  const [value, setValue] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (hidden) return <span class="muted small">hidden from the viewer role</span>;
  if (value !== null)
    return (
      <>
        <span class="value">{value}</span>{" "}
        <button type="button" class="linklike" onClick={() => setValue(null)} aria-label={`Hide ${k}`}>
          Hide
        </button>
      </>
    );
  const reveal = async () => {
    try {
      setValue((await api<{ value: string }>("GET", path("apps", app, "config", k))).value);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <span class="masked" aria-label="value hidden">
        ••••••••
      </span>{" "}
      <button type="button" class="linklike" onClick={reveal} aria-label={`Reveal ${k}`}>
        Reveal
      </button>
      <ErrorNotice error={error} />
    </>
  );
}

export function ConfigTab({ app, version, canChange, me }: TabProps) {
  const config = useLoad(() => api<Config>("GET", path("apps", app.name, "config")), [app.name, version]);
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const keyProblem = key ? configKeyProblem(key) : null;
  const apiKeyError =
    error instanceof ApiError && error.code === "invalid_request" ? `${error.message}. ${error.hint}` : null;
  const change = async (body: object, what: string) => {
    setError(null);
    try {
      const r = await api<ChangeResult>("PATCH", path("apps", app.name, "config"), body);
      setDone(
        r.deploy
          ? `${what}: deploying a new release (deploy #${r.deploy.number}).`
          : `${what}: stored for the next deploy.`,
      );
      config.reload();
    } catch (e) {
      setError(e);
      throw e;
    }
  };
  const entries = Object.entries(config.data ?? {});
  return (
    <>
      {done && (
        <div class="notice ok" role="status">
          {done}
        </div>
      )}
      <section class="panel" aria-labelledby="h-config">
        <h2 id="h-config">Config vars</h2>
        <p class="small muted">
          Injected as environment variables into every container of the app; stored encrypted. A change makes a new
          release and restarts every process with zero downtime.
        </p>
        <ErrorNotice error={config.error} />
        {config.data && entries.length === 0 && <p class="muted">No config vars.</p>}
        {entries.length > 0 && (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Value</th>
                  <th scope="col">
                    <span class="skip">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {/* a revealed value stays shown until that var changes (not when a deploy moves on) */}
                {entries.map(([k, v]) => (
                  <tr key={k}>
                    <td class="mono">{k}</td>
                    <td>
                      <Value key={`${k}=${v ?? ""}`} app={app.name} k={k} hidden={v === null} />
                    </td>
                    <td>
                      {canChange && (
                        <ConfirmButton
                          label={`Unset ${k}`}
                          danger
                          confirmWord={app.name}
                          title={`Unset ${k}?`}
                          body={
                            <p>
                              {k} is removed from {app.name} and every process restarts with zero downtime.
                            </p>
                          }
                          onConfirm={() => change({ unset: [k] }, `Unset ${k}`)}
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
      {canChange && (
        <section class="panel" aria-labelledby="h-set">
          <h2 id="h-set">Set a config var</h2>
          <ErrorNotice error={!apiKeyError ? error : null} />
          <div class="grid2">
            <Field
              id="cfg-key"
              label="Key"
              hint="Letters, digits and '_', e.g. DATABASE_URL."
              error={keyProblem ?? apiKeyError}
            >
              <input
                type="text"
                {...described("cfg-key", keyProblem ?? apiKeyError, true)}
                value={key}
                onInput={(e) => setKey(e.currentTarget.value)}
                autoComplete="off"
                spellcheck={false}
              />
            </Field>
            <Field id="cfg-value" label="Value" hint="Any text, newlines included.">
              <textarea
                {...described("cfg-value", null, true)}
                value={value}
                onInput={(e) => setValue(e.currentTarget.value)}
                autoComplete="off"
                spellcheck={false}
              />
            </Field>
          </div>
          <ConfirmButton
            label="Set"
            title={`Set ${key || "this var"} on ${app.name}?`}
            body={<p>A new release is made with the new value and every process restarts with zero downtime.</p>}
            disabled={!key || !!keyProblem}
            onConfirm={async () => {
              await change({ set: { [key]: value } }, `Set ${key}`);
              setKey("");
              setValue("");
            }}
          />
          {me.role === "viewer" && null}
        </section>
      )}
    </>
  );
}
