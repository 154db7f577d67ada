import { serverOptions } from "./render.js";
import { routedHosts } from "./render-tls.js";
import type { LiveServer } from "./stat-parse.js";
import type { DesiredRouter } from "./types.js";

/**
 * Compares the desired router with what the running HAProxy reports and
 * returns the runtime API commands that make them equal. Pure; the router
 * sends the steps in order.
 *
 * Order matters for zero failed requests: new servers are added and enabled
 * first, then hosts are pointed at backends, and servers are removed last, so
 * a backend never goes through a moment with no usable server. Removal cuts
 * whatever is still open on the server: callers drain first (state "drain",
 * wait for serverSessions() == 0), then leave the server out of `desired`.
 */

/** How to tell that HAProxy accepted a command (its answers are free text). */
export type Expect =
  | "empty"
  | "server-added"
  | "server-deleted"
  | "addr-set"
  | "ssl-new"
  | "ssl-set"
  | "ssl-success"
  | "ssl-deleted"
  | "crtlist-deleted"
  | "ssl-aborted";

export interface LiveStep {
  command: string;
  expect: Expect;
  /** `del server` fails while connections remain; the router retries it, bounded. */
  retry?: boolean;
  /** Sent after the command as `<<` lines (a certificate's PEM). */
  payload?: string;
  /** Steps of one certificate: when one fails, the rest of its group is skipped (and its transaction aborted), others go on. */
  certificate?: string;
  /** The SHA-1 of the certificate these steps push. */
  fingerprint?: string;
}

export interface LiveState {
  /** host → values (more than one when a key was added twice). */
  map: Map<string, string[]>;
  servers: LiveServer[];
  backends: string[];
}

export interface LivePlan {
  steps: LiveStep[];
  /** Desired backends the running process does not have (only a reload adds backends). */
  missingBackends: string[];
}

export function planLive(desired: DesiredRouter, live: LiveState, mapFile: string): LivePlan {
  const liveBackends = new Set(live.backends);
  const missingBackends = desired.backends.map((b) => b.name).filter((n) => !liveBackends.has(n));
  const adds: LiveStep[] = [];
  // Weight drops (drains) wait until every new server is enabled: a backend
  // whose old servers drain before the new ones are up answers 503.
  const lowers: LiveStep[] = [];
  const removes: LiveStep[] = [];

  for (const b of desired.backends) {
    if (!liveBackends.has(b.name)) continue;
    const liveHere = new Map(live.servers.filter((s) => s.backend === b.name).map((s) => [s.name, s]));
    for (const s of b.servers) {
      const id = `${b.name}/${s.name}`;
      const weight = s.state === "drain" ? 0 : s.weight;
      const cur = liveHere.get(s.name);
      if (!cur) {
        // A dynamic server starts in maintenance; enable it once added.
        adds.push({ command: `add server ${id} ${s.address}:${s.port} ${serverOptions(s)}`, expect: "server-added" });
        adds.push({ command: `enable server ${id}`, expect: "empty" });
        continue;
      }
      if (cur.address !== s.address || cur.port !== s.port)
        adds.push({ command: `set server ${id} addr ${s.address} port ${s.port}`, expect: "addr-set" });
      if (cur.weight !== weight)
        (weight < cur.weight ? lowers : adds).push({ command: `set weight ${id} ${weight}`, expect: "empty" });
      // Drain is weight 0 (see serverOptions); any admin state left by hand or
      // by an interrupted removal is cleared.
      if (cur.adminState !== 0) adds.push({ command: `set server ${id} state ready`, expect: "empty" });
    }
    // Runtime-added servers get their sticky cookie only when the key is set again (HAProxy 2.6).
    if (b.sticky && b.servers.some((s) => !liveHere.has(s.name)))
      adds.push({ command: `set dynamic-cookie-key backend ${b.name} ${b.sticky.key}`, expect: "empty" });
    const wanted = new Set(b.servers.map((s) => s.name));
    for (const cur of liveHere.values()) {
      if (wanted.has(cur.name)) continue;
      const id = `${b.name}/${cur.name}`;
      removes.push({ command: `set server ${id} state maint`, expect: "empty" });
      removes.push({ command: `shutdown sessions server ${id}`, expect: "empty" });
      removes.push({ command: `del server ${id}`, expect: "server-deleted", retry: true });
    }
  }

  const { sets: mapSteps, deletes: mapDeletes } = planMap(routedHosts(desired), live.map, mapFile);
  return { steps: [...adds, ...mapSteps, ...lowers, ...mapDeletes, ...removes], missingBackends };
}

/** The commands that make a live map (`show map`) hold exactly `desired`. */
export function planMap(
  desired: Record<string, string>,
  live: Map<string, string[]>,
  mapFile: string,
): { sets: LiveStep[]; deletes: LiveStep[] } {
  const sets: LiveStep[] = [];
  const deletes: LiveStep[] = [];
  for (const [key, value] of Object.entries(desired)) {
    const cur = live.get(key);
    if (!cur) sets.push({ command: `add map ${mapFile} ${key} ${value}`, expect: "empty" });
    // `set map` rewrites every entry with that key, so duplicates left by an
    // interrupted apply end up agreeing; they are harmless then.
    else if (cur.some((v) => v !== value))
      sets.push({ command: `set map ${mapFile} ${key} ${value}`, expect: "empty" });
  }
  for (const key of live.keys()) {
    if (!Object.hasOwn(desired, key)) deletes.push({ command: `del map ${mapFile} ${key}`, expect: "empty" });
  }
  return { sets, deletes };
}
