import { useState } from "preact/hooks";
import { api, path, type CronJobView, type CronRunView } from "../api";
import { useAction, useLoad, usePolled } from "../load";
import { Ago, Badge, ErrorNotice, LogBox } from "../ui";
import type { TabProps } from "./app";

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");

/** One job's last runs, newest first, each with its output (the last 200 lines kept); polled while one runs. */
function JobRuns({ app, job }: { app: string; job: string }) {
  const runs = usePolled(
    () => api<CronRunView[]>("GET", path("apps", app, "cron", job, "runs")),
    [app, job],
    2000,
    (d) => !!d?.some((r) => r.status === "running"),
  );
  const [open, setOpen] = useState<number | null>(null);
  return (
    <section class="panel" aria-labelledby="h-runs">
      <h2 id="h-runs">Runs of {job}</h2>
      <ErrorNotice error={runs.error} />
      {runs.data && runs.data.length === 0 && <p class="muted">No runs yet.</p>}
      {runs.data && runs.data.length > 0 && (
        <div class="table-wrap">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Trigger</th>
                <th scope="col">Started</th>
                <th scope="col">Status</th>
                <th scope="col">Exit code</th>
                <th scope="col">
                  <span class="skip">Output</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {runs.data.map((r) => (
                <>
                  <tr key={r.id}>
                    <td data-label="Run">
                      #{r.id} <span class="small muted">v{r.release}</span>
                    </td>
                    <td data-label="Trigger">{r.trigger}</td>
                    <td data-label="Started">
                      <Ago at={r.startedAt} />
                    </td>
                    <td data-label="Status">
                      <Badge status={r.status === "running" ? "deploying" : r.status} />
                    </td>
                    <td data-label="Exit code">{r.exitCode ?? "—"}</td>
                    <td data-label="Output">
                      <button
                        type="button"
                        class="linklike"
                        aria-expanded={open === r.id}
                        onClick={() => setOpen(open === r.id ? null : r.id)}
                      >
                        {open === r.id ? `Hide output of #${r.id}` : `Output of #${r.id}`}
                      </button>
                    </td>
                  </tr>
                  {open === r.id && (
                    <tr class="detail">
                      <td colSpan={6}>
                        <LogBox
                          lines={r.output ? r.output.replace(/\n$/, "").split("\n") : []}
                          label={`Output of run ${r.id}`}
                        />
                      </td>
                    </tr>
                  )}
                </>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The live release's cron jobs (app.json "cron"): schedule, next and last run, and Run now. */
export function CronTab({ app, version, canChange, sub }: TabProps) {
  const jobs = useLoad(() => api<CronJobView[]>("GET", path("apps", app.name, "cron")), [app.name, version]);
  const { busy, error, run } = useAction();
  const [started, setStarted] = useState<string | null>(null);
  const runNow = (job: string) =>
    run(async () => {
      const r = await api<CronRunView>("POST", path("apps", app.name, "cron", job, "run"), {});
      setStarted(`Started run #${r.id} of ${job}.`);
      jobs.reload();
      location.hash = `#/apps/${encodeURIComponent(app.name)}/cron/${encodeURIComponent(job)}`;
    });
  return (
    <>
      {started && (
        <div class="notice ok" role="status">
          {started}
        </div>
      )}
      <ErrorNotice error={error} />
      <section class="panel" aria-labelledby="h-cron">
        <h2 id="h-cron">Cron jobs</h2>
        <p class="small muted">
          From the live release's app.json <code>cron</code>; each run is a one-off container of that release. Times are
          UTC schedules shown in your time zone.
        </p>
        <ErrorNotice error={jobs.error} />
        {jobs.data && jobs.data.length === 0 && <p class="muted">No cron jobs in the live release.</p>}
        {jobs.data && jobs.data.length > 0 && (
          <div class="table-wrap">
            <table class="stack">
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Schedule</th>
                  <th scope="col">Next run</th>
                  <th scope="col">Last run</th>
                  <th scope="col">
                    <span class="skip">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {jobs.data.map((j) => (
                  <tr key={j.name}>
                    <td data-label="Job">
                      <a
                        href={`#/apps/${encodeURIComponent(app.name)}/cron/${encodeURIComponent(j.name)}`}
                        aria-current={sub === j.name ? "page" : undefined}
                      >
                        <strong>{j.name}</strong>
                      </a>
                      <div class="small muted mono">{j.command}</div>
                    </td>
                    <td data-label="Schedule">
                      <code>{j.schedule}</code> <span class="small muted">{j.concurrencyPolicy}</span>
                    </td>
                    <td data-label="Next run">{when(j.nextRun)}</td>
                    <td data-label="Last run">
                      {j.lastRun ? (
                        <>
                          <Badge status={j.lastRun.status === "running" ? "deploying" : j.lastRun.status} />{" "}
                          <Ago at={j.lastRun.startedAt} />
                          {j.lastRun.exitCode !== null && <span class="small muted"> exit {j.lastRun.exitCode}</span>}
                        </>
                      ) : (
                        <span class="muted">never</span>
                      )}
                    </td>
                    <td data-label="Actions">
                      {canChange && (
                        <button type="button" disabled={busy} onClick={() => runNow(j.name)}>
                          Run {j.name} now
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {sub && <JobRuns key={sub} app={app.name} job={sub} />}
    </>
  );
}

export { when as cronTime };
