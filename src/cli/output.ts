/**
 * Text rendering for the CLI: pure functions returning strings, so commands
 * decide where to write and tests compare strings.
 */

/** Columns left-aligned to the widest cell, two spaces apart, upper-case header; no trailing spaces. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers.map((h) => h.toUpperCase()), ...rows.map((r) => headers.map((_, i) => clean(r[i] ?? "")))];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return (
    all
      .map((r) =>
        r
          .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i])))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}

/** "key: value" lines with the values aligned, for one record (apps:info). */
export function renderFields(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...fields.map(([k]) => k.length + 1));
  return fields.map(([k, v]) => `${(k + ":").padEnd(width)}  ${v}`.trimEnd()).join("\n") + "\n";
}

/** Machine-readable output: the API's JSON as is, so scripts see the documented shapes. */
export function renderJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/** "just now", "42s ago", "5m ago", "3h ago", "2d ago"; older than 30 days prints the date. */
export function relativeTime(iso: string | null | undefined, now: Date): string {
  if (!iso) return "-";
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) return iso;
  const s = Math.round((now.getTime() - then.getTime()) / 1000);
  // Small clock skew between the server and this machine should not print "in 2s".
  if (s < 5) return s < -60 ? `in ${span(-s)}` : "just now";
  if (s >= 30 * 86400) return then.toISOString().slice(0, 10);
  return `${span(s)} ago`;
}

function span(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** Table cells are one line: a newline or tab from the server would break the alignment. */
function clean(cell: string): string {
  return cell.replace(/[\r\n\t]+/g, " ");
}
