import type { ServerStat } from "./types.js";

/**
 * Pure parsers for the text the HAProxy 2.6 runtime API answers. Each one
 * reads columns by the header names HAProxy prints, not by position, so a
 * column added by a later version does not shift the others.
 */

/** `show info`: "Name: value" lines. */
export function parseShowInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** `show backend`: "# name" then one backend name per line. */
export function parseShowBackend(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

/**
 * `show map <file>`: "<entry id> <key> <value>" per line. `add map` does not
 * replace an existing key, so a key can appear twice; the caller sees every
 * value and decides (the planner rewrites such keys).
 */
export function parseShowMap(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 3 || !parts[0].startsWith("0x")) continue;
    const [, key, value] = parts;
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return out;
}

export interface LiveServer {
  backend: string;
  name: string;
  address: string;
  port: number;
  /** User weight (what `set weight` changes). */
  weight: number;
  /** Bit field: 0 = ready; 0x01 forced maint, 0x04 config maint, 0x08 forced drain, ... */
  adminState: number;
}

/**
 * `show servers state [backend]`: a version line ("1"), a "# be_id be_name
 * srv_id srv_name ..." header, then space-separated rows.
 */
export function parseServersState(text: string): LiveServer[] {
  const lines = text.split("\n");
  const header = lines.find((l) => l.startsWith("# "));
  if (!header) return [];
  const cols = header.slice(2).trim().split(/\s+/);
  const at = (name: string) => cols.indexOf(name);
  const idx = {
    be: at("be_name"),
    name: at("srv_name"),
    addr: at("srv_addr"),
    port: at("srv_port"),
    uw: at("srv_uweight"),
    admin: at("srv_admin_state"),
  };
  const out: LiveServer[] = [];
  for (const line of lines) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const f = line.trim().split(/\s+/);
    if (f.length < cols.length) continue; // the version line
    out.push({
      backend: f[idx.be],
      name: f[idx.name],
      address: f[idx.addr],
      port: Number(f[idx.port]),
      weight: Number(f[idx.uw]),
      adminState: Number(f[idx.admin]),
    });
  }
  return out;
}

/** `show stat`: CSV with a "# pxname,svname,..." header. */
export function parseStatCsv(text: string): Record<string, string>[] {
  const lines = text.split("\n");
  const header = lines.find((l) => l.startsWith("# "));
  if (!header) return [];
  const cols = header.slice(2).split(",");
  const rows: Record<string, string>[] = [];
  for (const line of lines) {
    if (line.startsWith("#") || line.trim() === "") continue;
    const f = line.split(",");
    const row: Record<string, string> = {};
    cols.forEach((c, i) => {
      if (c !== "" && c !== "-") row[c] = f[i] ?? "";
    });
    rows.push(row);
  }
  return rows;
}

const num = (v: string | undefined): number => {
  const n = Number(v);
  return v === undefined || v === "" || !Number.isFinite(n) ? 0 : n;
};

/** Server rows of `show stat` (not the FRONTEND/BACKEND aggregates). */
export function parseServerStats(text: string): ServerStat[] {
  return parseStatCsv(text)
    .filter((r) => r.svname !== undefined && r.svname !== "FRONTEND" && r.svname !== "BACKEND")
    .map((r) => ({
      backend: r.pxname,
      server: r.svname,
      scur: num(r.scur),
      qcur: num(r.qcur),
      stot: num(r.stot),
      hrsp2xx: num(r.hrsp_2xx),
      hrsp5xx: num(r.hrsp_5xx),
      status: r.status ?? "",
      weight: num(r.weight),
      responses:
        num(r.hrsp_1xx) + num(r.hrsp_2xx) + num(r.hrsp_3xx) + num(r.hrsp_4xx) + num(r.hrsp_5xx) + num(r.hrsp_other),
      econ: num(r.econ),
      eresp: num(r.eresp),
      rtime: num(r.rtime),
      ttime: num(r.ttime),
    }));
}
