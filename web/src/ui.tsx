import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api";
import { useAction } from "./load";

/** A labelled input whose error (from the form's check or from the API) sits right under it. */
export function Field(props: {
  id: string;
  label: string;
  hint?: string;
  error?: string | null;
  children: JSX.Element;
}) {
  const errId = `${props.id}-error`;
  const hintId = `${props.id}-hint`;
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && (
        <div id={hintId} class="hint">
          {props.hint}
        </div>
      )}
      {props.error && (
        <div id={errId} class="field-error" role="alert">
          {props.error}
        </div>
      )}
    </div>
  );
}

/** ARIA wiring for an input inside a Field. */
export const described = (id: string, error?: string | null, hint?: boolean) => ({
  id,
  "aria-invalid": error ? ("true" as const) : undefined,
  "aria-describedby": [error ? `${id}-error` : "", hint ? `${id}-hint` : ""].filter(Boolean).join(" ") || undefined,
});

export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  return (
    <div class="notice error" role="alert">
      <strong>{e ? e.message : String((error as Error).message ?? error)}</strong>
      {e?.hint && <p>{e.hint}</p>}
    </div>
  );
}

export const Badge = ({ status }: { status: string }) => <span class={`badge ${status}`}>{status}</span>;

/** "3 min ago", with the exact time on hover and for screen readers. */
export function Ago({ at }: { at: string | null | undefined }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 30_000);
    return () => clearInterval(t);
  }, []);
  if (!at) return <span class="muted">—</span>;
  const s = Math.max(0, Math.round((Date.now() - Date.parse(at)) / 1000));
  const text =
    s < 60
      ? `${s}s ago`
      : s < 3600
        ? `${Math.floor(s / 60)} min ago`
        : s < 86400
          ? `${Math.floor(s / 3600)} h ago`
          : `${Math.floor(s / 86400)} d ago`;
  return (
    <time dateTime={at} title={new Date(at).toLocaleString()}>
      {text}
    </time>
  );
}

/**
 * A destructive action's confirmation: the dialog asks for the app's name
 * (or another word) typed out before the button is enabled.
 */
export function ConfirmButton(props: {
  label: string;
  title: string;
  body: ComponentChildren;
  confirmWord?: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
  disabled?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [typed, setTyped] = useState("");
  const { busy, error, run, reset } = useAction();
  const open = () => {
    setTyped("");
    reset();
    ref.current?.showModal();
  };
  const confirm = async (e: Event) => {
    e.preventDefault();
    await run(async () => {
      await props.onConfirm();
      ref.current?.close();
    });
  };
  const ok = !props.confirmWord || typed === props.confirmWord;
  const inputId = `confirm-${props.label.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <>
      <button type="button" class={props.danger ? "danger" : ""} onClick={open} disabled={props.disabled}>
        {props.label}
      </button>
      <dialog ref={ref} aria-labelledby={`${inputId}-title`}>
        <form onSubmit={confirm}>
          <h2 id={`${inputId}-title`}>{props.title}</h2>
          <div>{props.body}</div>
          {props.confirmWord && (
            <Field id={inputId} label={`Type ${props.confirmWord} to confirm`}>
              <input
                type="text"
                id={inputId}
                value={typed}
                onInput={(e) => setTyped(e.currentTarget.value)}
                autoComplete="off"
              />
            </Field>
          )}
          <ErrorNotice error={error} />
          <div class="row">
            <button type="submit" class={props.danger ? "danger" : "primary"} disabled={!ok || busy}>
              {busy ? "Working…" : props.label}
            </button>
            <button type="button" onClick={() => ref.current?.close()}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}

/** Keeps a log box scrolled to the end while new lines arrive, unless the reader scrolled up. */
export function LogBox({ lines, label }: { lines: string[]; label: string }) {
  const ref = useRef<HTMLPreElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [lines.length]);
  return (
    <pre
      class="log"
      ref={ref}
      tabIndex={0}
      aria-label={label}
      aria-live="polite"
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
      }}
    >
      {lines.length ? lines.join("\n") : "(no lines yet)"}
    </pre>
  );
}

/**
 * On a phone, tables are shown as stacked rows (app.css): each cell then
 * names its column. Cells get their column's header as `data-label` here,
 * once for every table the page shows, unless the page set one itself.
 */
export function labelTableCells(root: ParentNode = document): void {
  for (const table of root.querySelectorAll("table")) {
    const heads = [...table.querySelectorAll("thead th")].map((th) => th.textContent?.trim() ?? "");
    for (const row of table.querySelectorAll("tbody tr")) {
      let col = 0;
      for (const cell of row.children) {
        const td = cell as HTMLTableCellElement;
        if (td.colSpan > 1) break; // a detail row spans the table: no column
        if (!td.hasAttribute("data-label")) td.setAttribute("data-label", heads[col] ?? "");
        col++;
      }
    }
  }
}

/** Keeps every table labelled as pages render and data arrives. */
export function watchTables(): void {
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      labelTableCells();
    });
  }).observe(document.body, { childList: true, subtree: true });
}
