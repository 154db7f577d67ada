import { AppError } from "../errors/app-error.js";
import { normalizeConstraints, parseSpread } from "./constraints.js";

/**
 * Where a process type's units may run on a swarm: `replicated` (the
 * formation's count, spread over nodes by Swarm's scheduler) or `global` (one
 * unit on every node that matches, for monitoring or log agents), with
 * Swarm-syntax constraints and spread preferences. Set by
 * `yk ps:placement -a APP TYPE CONSTRAINT…` or app.json's formation:
 * `"formation": {"agent": {"mode": "global"}, "web": {"quantity": 3, "constraints": ["node.labels.zone==a"]}}`.
 */
export interface Placement {
  mode: "replicated" | "global";
  constraints: string[];
  spread: string[];
}

export const DEFAULT_PLACEMENT: Placement = { mode: "replicated", constraints: [], spread: [] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** One process type's placement from app.json's formation entry; `where` prefixes error messages. */
export function parsePlacement(entry: unknown, where: string): Placement {
  if (!isObject(entry)) return DEFAULT_PLACEMENT;
  const mode = entry.mode ?? "replicated";
  if (mode !== "replicated" && mode !== "global")
    throw new AppError("invalid_manifest", `app.json: ${where}.mode: must be "replicated" or "global"`);
  const withPath = <T>(field: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof AppError) throw new AppError("invalid_manifest", `app.json: ${where}.${field}: ${e.message}`);
      throw e;
    }
  };
  const constraints =
    entry.constraints === undefined ? [] : withPath("constraints", () => normalizeConstraints(entry.constraints));
  const spreadIn = entry.spread === undefined ? [] : entry.spread;
  if (!Array.isArray(spreadIn)) throw new AppError("invalid_manifest", `app.json: ${where}.spread: must be a list`);
  const spread = withPath("spread", () => [...new Set(spreadIn.map(parseSpread))]);
  if (mode === "global" && entry.quantity !== undefined)
    throw new AppError(
      "invalid_manifest",
      `app.json: ${where}: a global process type runs one unit per node: remove "quantity"`,
    );
  return { mode, constraints, spread };
}

/** Every process type's placement from app.json's `formation` (types without one get the default). */
export function parseFormationPlacement(formation: unknown): Record<string, Placement> {
  if (!isObject(formation)) return {};
  const out: Record<string, Placement> = {};
  for (const [type, entry] of Object.entries(formation)) {
    const p = parsePlacement(entry, `formation.${type}`);
    if (p !== DEFAULT_PLACEMENT) out[type] = p;
  }
  return out;
}
