import { useEffect, useState } from "preact/hooks";
import { api, path, type DeploySettings } from "../api";
import { useAction, useLoad } from "../load";
import { described, ErrorNotice, Field } from "../ui";

/** The numeric settings: API key, label, hint (the default), and which strategy they belong to. */
const NUMBERS: { key: keyof DeploySettings; label: string; hint: string; only?: "canary" | "blue-green" }[] = [
  { key: "pauseSec", label: "Pause between batches (s)", hint: "Rolling: default 0." },
  { key: "stepSec", label: "Step duration (s)", hint: "How long each step is held; default 60.", only: "canary" },
  { key: "maxErrorPct", label: "Max error rate (%)", hint: "Abort above it; default 1.", only: "canary" },
  {
    key: "errorMarginPct",
    label: "Error margin (points)",
    hint: "…or above the old release's rate plus this; default 1.",
    only: "canary",
  },
  {
    key: "latencyFactor",
    label: "Latency factor (×)",
    hint: "Abort when p95 is above the old one's times this; default 1.5.",
    only: "canary",
  },
  {
    key: "latencyFloorMs",
    label: "Latency floor (ms)",
    hint: "No latency abort below this p95; default 25.",
    only: "canary",
  },
  { key: "minRequests", label: "Minimum requests", hint: "Before a verdict; default 100.", only: "canary" },
  {
    key: "idleSec",
    label: "Idle window (s)",
    hint: "The old set stands by for an instant switch back; default 300.",
    only: "blue-green",
  },
];

type Form = Record<string, string>;
const toForm = (s: DeploySettings): Form => ({
  strategy: s.strategy ?? "rolling",
  maxSurge: s.maxSurge === undefined ? "" : String(s.maxSurge),
  steps: s.steps ? s.steps.join(", ") : "",
  sticky: s.sticky ? "on" : "off",
  ...Object.fromEntries(NUMBERS.map((n) => [n.key, s[n.key] === undefined ? "" : String(s[n.key])])),
});

/** What the form sends: only the fields filled in (the server checks every value and names a bad one). */
function toBody(f: Form, before: Form): Record<string, unknown> {
  const out: Record<string, unknown> = { strategy: f.strategy };
  if (f.maxSurge.trim()) out.maxSurge = /%$/.test(f.maxSurge.trim()) ? f.maxSurge.trim() : Number(f.maxSurge);
  if (f.steps.trim()) out.steps = f.steps.split(",").map((x) => Number(x.trim().replace(/%$/, "")));
  if (f.sticky !== before.sticky) out.sticky = f.sticky === "on";
  for (const n of NUMBERS) if (f[n.key].trim()) out[n.key] = Number(f[n.key]);
  return out;
}

/** Deploy strategy and its settings: `yk deploy:set` in a form. */
export function DeploySettingsPanel({ app, canChange }: { app: string; canChange: boolean }) {
  const settings = useLoad(() => api<DeploySettings>("GET", path("apps", app, "deploy-settings")), [app]);
  const [form, setForm] = useState<Form | null>(null);
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();
  useEffect(() => {
    if (settings.data) setForm(toForm(settings.data));
  }, [settings.data]);
  if (!form) return <ErrorNotice error={settings.error} />;
  const set = (k: string, v: string) => {
    setSaved(false);
    setForm({ ...form, [k]: v });
  };
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await api("PATCH", path("apps", app, "deploy-settings"), toBody(form, toForm(settings.data ?? {})));
      setSaved(true);
      settings.reload();
    });
  };
  const shown = NUMBERS.filter((n) => !n.only || n.only === form.strategy);
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="h-strategy" noValidate>
      <h2 id="h-strategy">Deploy strategy</h2>
      <p class="small muted">
        How a deploy moves traffic to a new release. These override app.json's <code>yadokari.deploy</code>; empty
        fields keep app.json's value or the default. Same as <code>yk deploy:set</code>.
      </p>
      <ErrorNotice error={error} />
      {saved && (
        <div class="notice ok" role="status">
          Saved: the next deploy uses them.
        </div>
      )}
      <fieldset disabled={!canChange}>
        <div class="grid2">
          <Field id="ds-strategy" label="Strategy">
            <select id="ds-strategy" value={form.strategy} onChange={(e) => set("strategy", e.currentTarget.value)}>
              <option value="rolling">rolling — replace containers in batches</option>
              <option value="canary">canary — shift traffic by steps, abort on bad numbers</option>
              <option value="blue-green">blue-green — switch all at once, keep the old set idle</option>
            </select>
          </Field>
          <Field id="ds-maxSurge" label="Max surge" hint="New web containers at a time: a count or a %; default 25%.">
            <input
              type="text"
              {...described("ds-maxSurge", null, true)}
              value={form.maxSurge}
              onInput={(e) => set("maxSurge", e.currentTarget.value)}
              placeholder="25%"
            />
          </Field>
          {form.strategy === "canary" && (
            <Field id="ds-steps" label="Steps (%)" hint="The new release's share per step; default 5, 25, 50, 100.">
              <input
                type="text"
                {...described("ds-steps", null, true)}
                value={form.steps}
                onInput={(e) => set("steps", e.currentTarget.value)}
                placeholder="5, 25, 50, 100"
              />
            </Field>
          )}
          {shown.map((n) => (
            <Field id={`ds-${n.key}`} label={n.label} hint={n.hint}>
              <input
                type="number"
                step="any"
                min={0}
                {...described(`ds-${n.key}`, null, true)}
                value={form[n.key]}
                onInput={(e) => set(n.key, e.currentTarget.value)}
              />
            </Field>
          ))}
          <Field
            id="ds-sticky"
            label="Sticky sessions"
            hint="A cookie keeps each client on the release it first reached."
          >
            <select id="ds-sticky" value={form.sticky} onChange={(e) => set("sticky", e.currentTarget.value)}>
              <option value="off">off</option>
              <option value="on">on</option>
            </select>
          </Field>
        </div>
      </fieldset>
      {canChange && (
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Saving…" : "Save deploy settings"}
        </button>
      )}
    </form>
  );
}
