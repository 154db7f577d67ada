import { api, path, type CanaryView, type DeployStatusView, type FiguresView, type MetricsView } from "../api";
import { useAction, usePolled } from "../load";
import { Badge, ConfirmButton, ErrorNotice } from "../ui";

const ACTIVE = new Set<CanaryView["state"]>(["starting", "running", "promoting"]);
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const ms = (x: number | null) => (x === null ? "—" : x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x)} ms`);

/** One row of figures; the same columns as `yk metrics` and `yk deploy:status`. */
function FigureCells({ f }: { f: FiguresView }) {
  return (
    <>
      <td class="num">{f.rps.toFixed(1)}</td>
      <td class="num">{f.requests}</td>
      <td class="num">{f.errors5xx + f.connErrors}</td>
      <td class="num">{pct(f.errorRate)}</td>
      <td class="num">{ms(f.p95Ms)}</td>
    </>
  );
}
const FigureHead = () => (
  <>
    <th scope="col">Req/s</th>
    <th scope="col">Requests</th>
    <th scope="col">Errors</th>
    <th scope="col">Error rate</th>
    <th scope="col">p95</th>
  </>
);

/**
 * The app's canary, live: the step, the traffic split, the time to the next
 * step, both releases' figures since the step began, and the operator's
 * controls. Polled every 2 s while it runs; hidden when the app never had one,
 * and once a later deploy followed a finished one.
 */
export function CanaryPanel({ app, version, canChange }: { app: string; version: string; canChange: boolean }) {
  const status = usePolled(
    () => api<DeployStatusView>("GET", path("apps", app, "deploy-status")),
    [app, version],
    2000,
    (d) => !!d?.canary && ACTIVE.has(d.canary.state),
  );
  const { busy, error, run } = useAction();
  const c = status.data?.canary;
  if (!c) return status.error ? <ErrorNotice error={status.error} /> : null;
  // a finished canary shows until the next deploy: after that, it is history (the deploy list has it)
  const later = status.data?.deploy && status.data.deploy.id !== c.deployId;
  if (!ACTIVE.has(c.state) && later) return null;
  const control = (action: "pause" | "resume" | "promote" | "abort") =>
    run(async () => {
      await api("POST", path("apps", app, "deploy", action), {});
      status.reload();
    });
  const active = ACTIVE.has(c.state);
  const step =
    c.stepIndex < 0
      ? "starting the new containers"
      : `${c.stepIndex + 1} of ${c.steps.length} (${c.steps.join(", ")} %)`;
  return (
    <section class="panel" aria-labelledby="h-canary">
      <h2 id="h-canary">
        Canary v{c.release} against v{c.previousRelease} <Badge status={c.paused ? "paused" : c.state} />
      </h2>
      <dl class="facts">
        <dt>Deploy</dt>
        <dd>
          <a href={`#/apps/${encodeURIComponent(app)}/deploys/${c.deployId}`}>#{c.deployNumber}</a>
        </dd>
        <dt>Step</dt>
        <dd>{step}</dd>
        <dt>Traffic</dt>
        <dd>
          v{c.release} {c.percent} %, v{c.previousRelease} {100 - c.percent} %
        </dd>
        {active && (
          <>
            <dt>Next step</dt>
            <dd>
              {c.paused
                ? "paused"
                : c.nextStepInSec === null
                  ? "waiting for the analysis"
                  : `in ${Math.ceil(c.nextStepInSec)} s`}
              {c.heldSec !== null && ` (held ${Math.floor(c.heldSec)} of ${c.stepSec} s)`}
            </dd>
          </>
        )}
        {c.verdict && (
          <>
            <dt>Analysis</dt>
            <dd>{c.verdict}</dd>
          </>
        )}
      </dl>
      {c.figures && (
        <div class="table-wrap">
          <table>
            <caption class="skip">Figures since the step began</caption>
            <thead>
              <tr>
                <th scope="col">Release</th>
                <FigureHead />
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>v{c.release} (new)</td>
                <FigureCells f={c.figures.new} />
              </tr>
              <tr>
                <td>v{c.previousRelease} (old)</td>
                <FigureCells f={c.figures.old} />
              </tr>
            </tbody>
          </table>
        </div>
      )}
      {canChange && active && c.state !== "promoting" && (
        <div class="row">
          {c.paused ? (
            <button type="button" disabled={busy} onClick={() => control("resume")}>
              Resume
            </button>
          ) : (
            <button type="button" disabled={busy} onClick={() => control("pause")}>
              Pause
            </button>
          )}
          <button type="button" disabled={busy} onClick={() => control("promote")}>
            Promote to 100 %
          </button>
          <ConfirmButton
            label="Abort canary"
            danger
            title={`Abort the canary of ${app}?`}
            body={
              <p>
                v{c.release} goes to weight 0 and v{c.previousRelease} takes all the traffic again; the new containers
                are drained and removed.
              </p>
            }
            onConfirm={() => control("abort")}
          />
        </div>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}

/** Requests per release over the last 5 minutes, as the router measured them; refreshed every 5 s. */
export function TrafficPanel({ app, version }: { app: string; version: string }) {
  const m = usePolled(() => api<MetricsView>("GET", path("apps", app, "metrics") + "?since=5m"), [app, version], 5000);
  return (
    <section class="panel" aria-labelledby="h-traffic">
      <h2 id="h-traffic">Traffic, last 5 minutes</h2>
      <ErrorNotice error={m.error} />
      {!m.data && !m.error && <p class="muted">Loading…</p>}
      {m.data && m.data.releases.length === 0 && <p class="muted">No requests through the router yet.</p>}
      {m.data && m.data.releases.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Release</th>
                <FigureHead />
              </tr>
            </thead>
            <tbody>
              {m.data.releases
                .filter((r) => r.live || r.last5m.requests > 0)
                .map((r) => (
                  <tr key={r.release}>
                    <td>
                      v{r.release}
                      {r.live && " (live)"}
                    </td>
                    <FigureCells f={r.last5m} />
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      )}
      <p class="small muted">
        Measured by the router every {m.data?.intervalSec ?? 5} s; p95 comes from its access log (
        <code>--access-log on</code>, the default).
      </p>
    </section>
  );
}
