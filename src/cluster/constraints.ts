import { AppError } from "../errors/app-error.js";

/**
 * Placement constraints in Swarm's own syntax (`docker service create
 * --constraint`), validated before they reach the engine: Swarm accepts a
 * constraint it cannot match and leaves the tasks pending forever, so a typo
 * (`node.label.zone`, `node.role==master`) must be refused here with its reason.
 *
 * Grammar (swarmkit's manager/constraint): ATTRIBUTE OP VALUE, OP `==` or `!=`.
 */
export interface Constraint {
  attribute: string;
  op: "==" | "!=";
  value: string;
}

/** The attributes Swarm matches; labels take a key after the prefix. */
const FIXED = ["node.id", "node.hostname", "node.role", "node.platform.os", "node.platform.arch"] as const;
const LABEL_PREFIXES = ["node.labels.", "engine.labels."] as const;
/** swarmkit: a label key starts with a letter or '_' (we also allow a digit after the first '.'-part), then [a-z0-9-_.] */
const LABEL_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** a value: no spaces, quotes or shell-ish characters (swarmkit allows a few regex characters we have no use for) */
const VALUE = /^[A-Za-z0-9_.:/-]+$/;
const ROLES = ["manager", "worker"];

const invalid = (c: string, why: string) =>
  new AppError("invalid_constraint", `invalid placement constraint ${JSON.stringify(c.slice(0, 120))}: ${why}`);

export function parseConstraint(input: unknown): Constraint {
  if (typeof input !== "string") throw new AppError("invalid_constraint", "a placement constraint must be a string");
  const text = input.trim();
  if (text.length === 0 || text.length > 256) throw invalid(input, "it must be 1 to 256 characters");
  const m = /^(.*?)\s*(==|!=)\s*(.*)$/.exec(text);
  if (!m) throw invalid(input, "it needs an operator, == or !=");
  const [, attribute, op, value] = m;
  if (value.includes("==") || value.includes("!=")) throw invalid(input, "it has more than one operator");
  const prefix = LABEL_PREFIXES.find((p) => attribute.startsWith(p));
  if (prefix) {
    const key = attribute.slice(prefix.length);
    if (!LABEL_KEY.test(key)) throw invalid(input, `the label key ${JSON.stringify(key)} is not valid`);
  } else if (!(FIXED as readonly string[]).includes(attribute)) {
    const near = attribute.startsWith("node.label.") ? " (did you mean node.labels.…?)" : "";
    throw invalid(
      input,
      `unknown attribute ${JSON.stringify(attribute)}${near}: use node.id, node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.KEY or engine.labels.KEY`,
    );
  }
  if (!VALUE.test(value)) throw invalid(input, "the value must be letters, digits and . _ : / - (no spaces or quotes)");
  if (attribute === "node.role" && !ROLES.includes(value.toLowerCase()))
    throw invalid(input, "node.role is manager or worker");
  return { attribute, op: op as Constraint["op"], value };
}

/** The form Swarm stores and `docker service inspect` shows: no spaces around the operator. */
export const formatConstraint = (c: Constraint) => `${c.attribute}${c.op}${c.value}`;

/** Validates a list (at most 32), normalizes each, drops duplicates, keeps the order given. */
export function normalizeConstraints(input: unknown): string[] {
  if (!Array.isArray(input))
    throw new AppError("invalid_constraint", "placement constraints must be a list of strings");
  if (input.length > 32) throw new AppError("invalid_constraint", "at most 32 placement constraints per process type");
  const out: string[] = [];
  for (const c of input) {
    const f = formatConstraint(parseConstraint(c));
    if (!out.includes(f)) out.push(f);
  }
  const contradiction = findContradiction(out.map(parseConstraint));
  if (contradiction) throw new AppError("invalid_constraint", contradiction);
  return out;
}

/** `node.role==manager` with `node.role==worker` can never be placed: say so instead of leaving tasks pending. */
function findContradiction(cs: Constraint[]): string | null {
  const equal = new Map<string, string>();
  for (const c of cs.filter((x) => x.op === "==")) {
    const prev = equal.get(c.attribute);
    if (prev !== undefined && prev !== c.value)
      return `the constraints ${c.attribute}==${prev} and ${c.attribute}==${c.value} can never both hold`;
    equal.set(c.attribute, c.value);
  }
  for (const c of cs.filter((x) => x.op === "!=")) {
    if (equal.get(c.attribute) === c.value)
      return `the constraints ${c.attribute}==${c.value} and ${c.attribute}!=${c.value} can never both hold`;
  }
  return null;
}

/** A spread preference (`--placement-pref spread=node.labels.zone`): tasks balanced over the label's values. */
export function parseSpread(input: unknown): string {
  if (typeof input !== "string") throw new AppError("invalid_constraint", "a spread preference must be a string");
  const text = input.trim().replace(/^spread=/, "");
  const prefix = LABEL_PREFIXES.find((p) => text.startsWith(p));
  if (!prefix || !LABEL_KEY.test(text.slice(prefix.length)))
    throw new AppError(
      "invalid_constraint",
      `invalid spread preference ${JSON.stringify(input.slice(0, 120))}: spread over node.labels.KEY or engine.labels.KEY`,
    );
  return text;
}
