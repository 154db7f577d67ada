import type { DeploySettings, Formation, Mount, Release, RoutedServer } from "../../domain/types.js";
import type { UnitKind } from "../../engines/engine.js";
import { canaryWeights } from "../../canary/weights.js";
import { oneOffUnitSpec, processUnitSpec } from "./unit-spec.js";
import type { CommitChange, ServerChange, Step } from "./steps.js";

export type { Step } from "./steps.js";

/** A recorded unit of the app, as the planner needs it. */
export interface PlanUnit {
  id: string;
  name: string;
  process: string;
  kind: UnitKind;
  releaseVersion: number;
  state: string;
}

export interface DeployInput {
  release: Release;
  formation: Formation;
  settings: DeploySettings;
  /** the app's recorded units as the engine reports them */
  observed: PlanUnit[];
  /** the app's servers in the router, as the store records them */
  routed: RoutedServer[];
  /** a unique suffix per new unit name (passed in to keep this pure) */
  suffix: () => string;
  mounts: Mount[];
  stopTimeoutSec: number;
  /** every container's pids limit (YADOKARI_PIDS_LIMIT) */
  pidsLimit: number;
  releasePhaseTimeoutSec: number;
  /** what the commit step writes besides the live release (config vars, formation) */
  commit: Omit<CommitChange, "releaseId">;
  /** replace only these process types (ps:restart TYPE); default: all, with the release phase */
  only?: string[];
  /**
   * A canary instead of rolling web batches (only when a web release serves
   * already: a first deploy has nothing to compare with). `resume` continues
   * an interrupted one from a recorded step, with its new units running.
   */
  canary?: { steps: number[]; resume?: { index: number; unitIds: string[] } };
  /** Blue-green instead of rolling batches (again only when a web release serves already). */
  blueGreen?: { idleSec: number; previousReleaseId: number };
}

/** The batch name of a canary's new web units. */
export const CANARY_BATCH = "canary";
/** The batch name of a blue-green deploy's new web set. */
export const GREEN_BATCH = "green";

/** maxSurge as a count: a number, a percentage of the web replicas rounded up, or by default 25% (at least 1). */
export function resolveSurge(maxSurge: DeploySettings["maxSurge"], replicas: number): number {
  if (replicas <= 0) return 1;
  if (typeof maxSurge === "number") return Math.max(1, Math.min(maxSurge, replicas));
  const pct = typeof maxSurge === "string" ? Number(maxSurge.replace("%", "")) : 25;
  return Math.max(1, Math.min(replicas, Math.ceil((replicas * pct) / 100)));
}

const drain = (s: RoutedServer): ServerChange => ({ name: s.name, weight: s.weight, state: "drain" });

/** Old servers leave: drained, out of the router, their units stopped; `wait` keeps it on the deploy's path. */
function retire(servers: RoutedServer[], unitIds: string[], wait: boolean): Step[] {
  const names = servers.map((s) => s.name);
  const steps: Step[] = [
    ...(names.length ? [{ kind: "drain" as const, name: "drain", servers: names }] : []),
    { kind: "remove", name: "remove", servers: names, unitIds },
  ];
  // Off the live path: the deploy is done once traffic has moved; the next deploy waits for it.
  return wait ? steps : [{ kind: "background", name: "retire", steps }];
}

/**
 * A deploy as data. The executor runs the steps in order and records each.
 *   release-phase → the release command runs once, before any new unit
 *   start → gate → route → drain/remove, per web batch of at most maxSurge units:
 *     new units pass their health check, take traffic, and only then the
 *     same number of old ones drain and stop — so the router never has fewer
 *     than the formation's healthy web units, and no more than formation +
 *     maxSurge exist at once
 *   commit → the release goes live with its config and formation (after the first batch passes)
 *   other process types: start new, then stop old (SIGTERM, stop timeout)
 * The last retirements run off the path that decides when the deploy is live.
 */
export function planDeploy(input: DeployInput): Step[] {
  const { release, formation } = input;
  const replace = (type: string) => !input.only || input.only.includes(type);
  const steps: Step[] = [];
  const formationOf = (type: string) =>
    release.processes[type] !== undefined ? (formation[type] ?? (type === "web" ? 1 : 0)) : 0;
  const processUnits = input.observed.filter((u) => u.kind === "process");
  const web = (n: number) =>
    Array.from({ length: n }, () =>
      processUnitSpec(release, "web", input.suffix(), input.stopTimeoutSec, input.mounts, input.pidsLimit),
    );

  if (release.manifest.releaseCommand && !input.only && !input.canary?.resume) {
    steps.push({
      kind: "release-phase",
      command: release.manifest.releaseCommand,
      spec: oneOffUnitSpec(release, "release", release.manifest.releaseCommand, input.suffix(), {
        mounts: input.mounts,
        pidsLimit: input.pidsLimit,
      }),
      timeoutSec: input.releasePhaseTimeoutSec,
    });
  }

  let committed = false;
  const commit = () => {
    if (!committed) steps.push({ kind: "commit", change: { releaseId: release.id, ...input.commit } });
    committed = true;
  };
  const retiredIds = new Set<string>();
  const unitsOf = (servers: RoutedServer[]) => {
    const ids = servers.map((s) => s.unitId);
    ids.forEach((id) => retiredIds.add(id));
    return ids;
  };
  const old = input.routed.filter((s) => s.process === "web" && s.releaseId !== release.id);
  // a resumed canary's own units are running and routed: they stay
  if (input.canary?.resume) for (const id of input.canary.resume.unitIds) retiredIds.add(id);
  const replicas = formationOf("web");

  if (replace("web") && input.canary && old.length > 0 && replicas > 0) {
    const k = input.canary.resume
      ? input.canary.resume.unitIds.length
      : resolveSurge(input.settings.maxSurge, replicas);
    if (input.canary.resume) steps.push({ kind: "adopt", batch: CANARY_BATCH, unitIds: input.canary.resume.unitIds });
    else
      steps.push(
        { kind: "start", batch: CANARY_BATCH, process: "web", specs: web(k) },
        { kind: "gate", batch: CANARY_BATCH, healthcheck: release.healthcheck },
      );
    const total = input.canary.steps.length;
    input.canary.steps.forEach((percent, index) => {
      if (index < (input.canary!.resume?.index ?? 0)) return;
      const w = canaryWeights(percent, k, old.length);
      const mark = {
        index,
        percent,
        total,
        newWeight: w.newWeight,
        oldWeight: w.oldWeight,
        newServers: k,
        oldServers: old.length,
      };
      const label = `canary ${index + 1}: ${percent}%`;
      steps.push(
        {
          kind: "weights",
          name: `weights ${label}`,
          route: [{ batch: CANARY_BATCH, weight: w.newWeight }],
          set: old.map((s) => ({ name: s.name, weight: w.oldWeight, state: "ready" })),
          canary: mark,
        },
        { kind: "hold", name: label, canary: mark },
      );
    });
    commit();
    // the rest of the formation, in surge-sized batches, each after as many old (weight 0) servers left
    let started = k;
    let retired = 0;
    for (let b = 2; started < replicas; b++) {
      const n = Math.min(k, replicas - started);
      const leaving = old.slice(retired, retired + n);
      if (leaving.length) steps.push(...retire(leaving, unitsOf(leaving), true));
      retired += leaving.length;
      const batch = `web-${b}`;
      steps.push(
        { kind: "start", batch, process: "web", specs: web(n) },
        { kind: "gate", batch, healthcheck: release.healthcheck },
        { kind: "weights", name: `route ${batch}`, route: [{ batch, weight: 100 }] },
      );
      started += n;
    }
    const rest = old.slice(retired);
    if (rest.length) steps.push(...retire(rest, unitsOf(rest), false));
  } else if (replace("web") && input.blueGreen && !input.only && old.length > 0 && replicas > 0) {
    // the whole new set (the formation, whatever the surge), live and switched in one router change;
    // the old set stays running, idle, for a switch back
    steps.push(
      { kind: "start", batch: GREEN_BATCH, process: "web", specs: web(replicas) },
      { kind: "gate", batch: GREEN_BATCH, healthcheck: release.healthcheck },
    );
    commit();
    steps.push(
      {
        kind: "weights",
        name: `route ${GREEN_BATCH}`,
        route: [{ batch: GREEN_BATCH, weight: 100 }],
        set: old.map(drain),
      },
      {
        kind: "standby",
        releaseId: input.blueGreen.previousReleaseId,
        servers: old.map((s) => s.name),
        idleSec: input.blueGreen.idleSec,
      },
    );
    unitsOf(old);
  } else if (replace("web")) {
    const surge = resolveSurge(input.settings.maxSurge, replicas);
    const all = input.routed.filter((s) => s.process === "web");
    let started = 0;
    let retired = 0;
    for (let b = 0; started < replicas; b++) {
      const k = Math.min(surge, replicas - started);
      const last = started + k >= replicas;
      const batch = `web-${b + 1}`;
      steps.push(
        { kind: "start", batch, process: "web", specs: web(k) },
        { kind: "gate", batch, healthcheck: release.healthcheck },
      );
      commit();
      const leaving = last ? all.slice(retired) : all.slice(retired, retired + k);
      steps.push({ kind: "weights", name: `route ${batch}`, route: [{ batch, weight: 100 }], set: leaving.map(drain) });
      if (leaving.length) steps.push(...retire(leaving, unitsOf(leaving), !last));
      if (!last && (input.settings.pauseSec ?? 0) > 0)
        steps.push({ kind: "hold", name: "pause", seconds: input.settings.pauseSec! });
      started += k;
      retired += leaving.length;
    }
    if (replicas === 0 && all.length) {
      commit();
      steps.push({ kind: "weights", name: "route web-0", set: all.map(drain) });
      steps.push(...retire(all, unitsOf(all), false));
    }
  }
  commit();

  // other process types: start the new set, then stop the old one
  const types = [...new Set([...Object.keys(release.processes), ...processUnits.map((u) => u.process)])]
    .filter((t) => t !== "web" && replace(t))
    .sort();
  for (const type of types) {
    const count = formationOf(type);
    const olds = processUnits.filter((u) => u.process === type);
    if (count > 0) {
      steps.push({
        kind: "start",
        batch: type,
        process: type,
        specs: Array.from({ length: count }, () =>
          processUnitSpec(release, type, input.suffix(), input.stopTimeoutSec, input.mounts, input.pidsLimit),
        ),
      });
    }
    if (olds.length) {
      olds.forEach((u) => retiredIds.add(u.id));
      steps.push(
        ...retire(
          [],
          olds.map((u) => u.id),
          false,
        ),
      );
    }
  }

  // anything else of a replaced type left over (exited units, unrouted web ones)
  const leftovers = processUnits.filter((u) => !retiredIds.has(u.id) && replace(u.process));
  if (leftovers.length)
    steps.push(
      ...retire(
        [],
        leftovers.map((u) => u.id),
        false,
      ),
    );
  return steps;
}
