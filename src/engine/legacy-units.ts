import type { RoutedServer } from "../domain/types.js";
import type { UnitRecord } from "../domain/unit.js";
import type { Unit, UnitKind, UnitMeta } from "../engines/engine.js";

export interface LegacyApp {
  name: string;
  releases: { id: number; version: number; image: string; processes: Record<string, string | null> }[];
}

export type LegacyRecord = Omit<UnitRecord, "createdAt"> & { id: string };

const ONE_OFF_KINDS = new Set<UnitKind>(["run", "cron", "release"]);

/**
 * A server upgraded from a version without unit records adopts, once, what
 * that version created (pure: the caller lists the engine and records the
 * result):
 *   - web units the router has (routed_servers recorded their ids: the old
 *     code put them there);
 *   - any other unit whose name follows our naming scheme
 *     (yk-<app>-<process>-v<version>-<suffix>) for an app and a release that
 *     exist, whose image is that release's image, and which was created
 *     before the migration.
 * A container that only carries our labels matches none of these unless
 * someone reproduced our names and release images before the upgrade; it
 * stays unrecorded, so nothing ever acts on it.
 */
export function legacyUnits(input: {
  units: Unit[];
  apps: LegacyApp[];
  routed: RoutedServer[];
  recorded: Set<string>;
  /** ms since the epoch: only units created before this are adopted */
  before: number;
  /** when each unit was created (ms), null when unknown */
  createdAt: (u: Unit) => number | null;
}): LegacyRecord[] {
  const out: LegacyRecord[] = [];
  const routedById = new Map(input.routed.map((s) => [s.unitId, s]));
  // longest names first: an app "a-b" must win over an app "a" for yk-a-b-web-v1-x
  const apps = [...input.apps].sort((x, y) => y.name.length - x.name.length);
  for (const u of input.units) {
    if (input.recorded.has(u.id)) continue;
    const routed = routedById.get(u.id);
    if (routed) {
      const app = input.apps.find((a) => a.name === routed.app);
      const rel = app?.releases.find((r) => r.id === routed.releaseId);
      if (app && rel)
        out.push({
          id: u.id,
          name: u.name,
          app: app.name,
          process: routed.process,
          kind: "process",
          releaseId: rel.id,
          releaseVersion: rel.version,
          meta: {},
        });
      continue;
    }
    const created = input.createdAt(u);
    if (created === null || created >= input.before) continue;
    const app = apps.find((a) => u.name.startsWith(`yk-${a.name}-`));
    if (!app) continue;
    const m = /^(.+?)-v(\d+)-(.+)$/.exec(u.name.slice(`yk-${app.name}-`.length));
    if (!m) continue;
    const [, process, version, suffix] = m;
    const rel = app.releases.find((r) => r.version === Number(version));
    if (!rel || rel.image !== u.image) continue;
    const kind: UnitKind | null =
      rel.processes[process] !== undefined
        ? "process"
        : ONE_OFF_KINDS.has(process as UnitKind)
          ? (process as UnitKind)
          : null;
    if (!kind) continue;
    const meta: UnitMeta = {};
    if (kind === "cron") {
      const run = /-(\d+)$/.exec(suffix);
      if (run) meta.cronRun = Number(run[1]);
    }
    if (kind === "run") {
      meta.detach = u.labels["yadokari.run.detach"] === "true";
      meta.tty = u.labels["yadokari.run.tty"] === "true";
    }
    out.push({
      id: u.id,
      name: u.name,
      app: app.name,
      process,
      kind,
      releaseId: rel.id,
      releaseVersion: rel.version,
      meta,
    });
  }
  return out;
}

/** Runs the adoption once per install (the meta key says it ran); returns how many units it recorded. */
export async function adoptLegacyUnits(ctx: {
  store: import("../store/store.js").Store;
  units: import("./units.js").Units;
  clock: import("../lib/clock.js").Clock;
}): Promise<number> {
  const { store, units } = ctx;
  if (store.meta("units-adopted")) return 0;
  const before = ctx.clock.now().getTime();
  const found = await units.engine.list();
  const records = legacyUnits({
    units: found,
    apps: store.listApps().map((a) => ({ name: a.name, releases: store.listReleases(a.name) })),
    routed: store.routedServers(),
    recorded: units.recordedIds(),
    before,
    createdAt: (u) => (u.startedAt ? Date.parse(u.startedAt) : null),
  });
  for (const r of records) units.adopt(r);
  store.setMeta("units-adopted", new Date(before).toISOString());
  return records.length;
}
