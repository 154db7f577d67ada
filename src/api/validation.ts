import { z } from "@hono/zod-openapi";
import { AppError } from "../errors/app-error.js";
import { CODES, type ErrorCode } from "../errors/codes.js";

/**
 * How a request that does not fit its route's schema is answered: always one
 * AppError whose message starts with the path of the bad field
 * (`body.formation.web: expected an integer ≥ 0`). Shape problems (a wrong
 * type, a number out of range, an unknown field, a missing field) are
 * `400 invalid_request`; a domain rule (an app name, a hostname, a branch)
 * added with `rule()` keeps its own code and status (422 invalid_name, …).
 * Messages never quote the value sent: it may be a secret.
 */

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

const TYPE_WORDS: Record<string, string> = {
  int: "an integer",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  object: "an object",
  array: "an array",
  null: "null",
  record: "an object",
};
const article = (t: string) => TYPE_WORDS[t] ?? t;

/** z.int() is a number schema with an integer format: its range messages say "an integer". */
const isInt = (iss: RawIssue) =>
  /int/.test(String((iss as { schema?: { _zod?: { def?: { format?: string } } } }).schema?._zod?.def?.format ?? ""));

/** English for zod's issues; a schema's own `error` text takes precedence. */
function english(iss: RawIssue): string | undefined {
  switch (iss.code) {
    case "invalid_type":
      if (iss.input === undefined) return "is required";
      return `expected ${iss.expected === "number" && isInt(iss) ? "an integer" : article(iss.expected)}`;
    case "too_small": {
      const n = Number(iss.minimum);
      if (iss.origin === "string") return `must be at least ${n} character${n === 1 ? "" : "s"}`;
      if (iss.origin === "array" || iss.origin === "set") return `must have at least ${n} item${n === 1 ? "" : "s"}`;
      return `expected ${isInt(iss) ? "an integer" : "a number"} ${iss.inclusive ? "≥" : ">"} ${n}`;
    }
    case "too_big": {
      const n = Number(iss.maximum);
      if (iss.origin === "string") return `must be at most ${n} character${n === 1 ? "" : "s"}`;
      if (iss.origin === "array" || iss.origin === "set") return `must have at most ${n} item${n === 1 ? "" : "s"}`;
      return `expected ${isInt(iss) ? "an integer" : "a number"} ${iss.inclusive ? "≤" : "<"} ${n}`;
    }
    case "invalid_value":
      return `expected ${iss.values.length === 1 ? JSON.stringify(iss.values[0]) : `one of ${iss.values.map((v) => JSON.stringify(v)).join(", ")}`}`;
    case "unrecognized_keys":
      return "is not a field of this request";
    case "invalid_format":
      return iss.format === "regex" && "pattern" in iss ? `must match ${String(iss.pattern)}` : `must be ${iss.format}`;
    case "invalid_union":
      return "does not match any of the forms this field takes";
    case "not_multiple_of":
      return `must be a multiple of ${String(iss.divisor)}`;
    default:
      return undefined;
  }
}

z.config({ customError: english });

const WHERE: Record<string, string> = {
  json: "body",
  query: "query",
  param: "path",
  header: "header",
  cookie: "cookie",
};
const IDENT = /^[A-Za-z_$][\w$]*$/;

/** `body.formation.web`, `body.command[0]`, `body["A B"]` (long keys cut: they are shown, values never). */
export function issuePath(target: string, path: readonly PropertyKey[]): string {
  let out = WHERE[target] ?? target;
  for (const k of path) {
    if (typeof k === "number") out += `[${k}]`;
    else {
      const key = String(k).length > 60 ? String(k).slice(0, 60) + "…" : String(k);
      out += IDENT.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/** One line per problem; an unknown-field issue names each field. */
export function describeIssues(target: string, issues: readonly Issue[]): string[] {
  return issues.flatMap((i) =>
    i.code === "unrecognized_keys"
      ? i.keys.map((k) => `${issuePath(target, [...i.path, k])}: is not a field of this request`)
      : i.code === "invalid_key"
        ? // a record's key (a process type, a config var name): the key's own rule says what is wrong
          [`${issuePath(target, i.path)}: is not a valid name: ${i.issues[0]?.message ?? i.message}`]
        : [`${issuePath(target, i.path)}: ${i.message}`],
  );
}

/** The AppError for a failed parse of one part of a request. */
export function requestError(target: string, issues: readonly Issue[]): AppError {
  // A domain rule broken by a well-formed request keeps its own code (and a message that says which rule).
  const rules = issues.filter((i) => i.code === "custom" && typeof i.params?.code === "string");
  if (rules.length > 0 && rules.length === issues.length) {
    const first = rules[0] as Issue & { params: { code: ErrorCode; hint?: string } };
    const code = first.params.code in CODES ? first.params.code : "invalid_request";
    return new AppError(code, `${issuePath(target, first.path)}: ${first.message}`, first.params.hint);
  }
  const lines = describeIssues(
    target,
    issues.filter((i) => !(i.code === "custom" && typeof i.params?.code === "string")),
  );
  return new AppError(
    "invalid_request",
    lines.length > 3 ? `${lines.slice(0, 3).join("; ")}; and ${lines.length - 3} more` : lines.join("; "),
    undefined,
    { issues: lines },
  );
}

/** The hook every route's validators call (set as OpenAPIHono's defaultHook). */
export function onInvalid(result: { success: boolean; target: string; error?: z.ZodError }): void {
  if (!result.success && result.error) throw requestError(result.target, result.error.issues);
}

/**
 * A domain validator (one that throws AppError) as a refinement of a schema:
 * the OpenAPI document keeps the schema's type, the runtime check keeps the
 * validator's message, code and hint.
 */
export function rule<T extends z.ZodType>(schema: T, check: (v: z.output<T>) => unknown): T {
  return schema.superRefine((v, ctx) => {
    try {
      check(v);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      ctx.addIssue({ code: "custom", message: e.message, params: { code: e.code, hint: e.hint } });
    }
  }) as T;
}
