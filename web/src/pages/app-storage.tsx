import { useState } from "preact/hooks";
import { api, ApiError, path, type MountView } from "../api";
import { useAction, useLoad } from "../load";
import { ConfirmButton, described, ErrorNotice, Field } from "../ui";

/** Storage mounts: host directories under the allowed roots, or named volumes (`yk storage:mount`). */
export function StoragePanel({ app, canChange }: { app: string; canChange: boolean }) {
  const list = useLoad(() => api<MountView[]>("GET", path("apps", app, "storage")), [app]);
  const [source, setSource] = useState("");
  const [target, setTarget] = useState("");
  const { busy, error, run } = useAction();
  const [done, setDone] = useState<string | null>(null);
  const fieldError =
    error instanceof ApiError && ["invalid_mount", "mount_exists"].includes(error.code)
      ? `${error.message}. ${error.hint}`
      : null;
  const mount = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const m = await api<MountView>("POST", path("apps", app, "storage"), { source, containerPath: target });
      setDone(
        `Mounted ${m.source} at ${m.containerPath}: containers started from now on have it (deploy or restart to apply it).`,
      );
      setSource("");
      setTarget("");
      list.reload();
    });
  };
  return (
    <section class="panel" aria-labelledby="h-storage">
      <h2 id="h-storage">Storage</h2>
      <p class="small muted">
        Mounted into every container of {app} started from now on: web and other processes, one-off runs, cron and the
        release phase.
      </p>
      {done && (
        <div class="notice ok" role="status">
          {done}
        </div>
      )}
      <ErrorNotice error={list.error} />
      {list.data && list.data.length === 0 && <p class="muted">No mounts.</p>}
      {list.data && list.data.length > 0 && (
        <div class="table-wrap">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Container path</th>
                <th scope="col">Type</th>
                <th scope="col">
                  <span class="skip">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((m) => (
                <tr key={m.containerPath}>
                  <td data-label="Source" class="mono wrap">
                    {m.source}
                  </td>
                  <td data-label="Container path" class="mono wrap">
                    {m.containerPath}
                  </td>
                  <td data-label="Type">{m.type}</td>
                  <td data-label="Actions">
                    {canChange && (
                      <ConfirmButton
                        label={`Unmount ${m.containerPath}`}
                        danger
                        title={`Unmount ${m.containerPath}?`}
                        body={<p>Containers started from now on no longer have it; the data stays where it is.</p>}
                        onConfirm={async () => {
                          await api(
                            "DELETE",
                            `${path("apps", app, "storage")}?path=${encodeURIComponent(m.containerPath)}`,
                          );
                          setDone(null);
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
        <form class="inline-form" onSubmit={mount} noValidate>
          <Field
            id="mount-source"
            label="Host directory or volume name"
            hint="Below a storage root, e.g. /var/lib/yadokari-storage/web/files; or a name such as web-cache."
            error={fieldError}
          >
            <input
              type="text"
              {...described("mount-source", fieldError, true)}
              value={source}
              onInput={(e) => setSource(e.currentTarget.value.trim())}
              autoComplete="off"
              spellcheck={false}
            />
          </Field>
          <Field id="mount-target" label="Container path" hint="Absolute, e.g. /app/files.">
            <input
              type="text"
              {...described("mount-target", null, true)}
              value={target}
              onInput={(e) => setTarget(e.currentTarget.value.trim())}
              autoComplete="off"
              spellcheck={false}
            />
          </Field>
          <button type="submit" class="primary" disabled={busy || !source || !target}>
            Mount
          </button>
          {error && !fieldError && <ErrorNotice error={error} />}
        </form>
      )}
    </section>
  );
}
