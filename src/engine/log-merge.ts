/**
 * Merges the logs of several containers in time order. Docker prefixes each
 * line with an RFC 3339 timestamp (nanoseconds, UTC), which sorts as text;
 * the timestamp is dropped and the line prefixed with where it came from.
 */
export interface SourcedLines {
  /** "web.yk-shop-web-v3-a1b2c3" */
  source: string;
  lines: string[];
}

const STAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z) ?(.*)$/;

export function splitStamp(line: string): { at: string; text: string } {
  const m = STAMP.exec(line);
  return m ? { at: m[1], text: m[2] } : { at: "", text: line };
}

/** Docker's fractions have varying length; pad them so that text order is time order. */
const sortKey = (at: string) =>
  at.replace(/(\.\d+)?Z$/, (_, frac: string | undefined) => `${(frac ?? ".").padEnd(10, "0")}Z`);

export function mergeByTime(sources: SourcedLines[], limit: number): string[] {
  const all = sources.flatMap((s, si) => s.lines.map((l, li) => ({ ...splitStamp(l), source: s.source, si, li })));
  all.sort((a, b) => sortKey(a.at).localeCompare(sortKey(b.at)) || a.si - b.si || a.li - b.li);
  // shown to the millisecond
  return all
    .slice(Math.max(0, all.length - limit))
    .map((x) => `${x.at ? x.at.replace(/(\.\d{1,3})\d*Z$/, "$1Z") + " " : ""}${x.source} | ${x.text}`);
}
