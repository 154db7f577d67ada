import { AppError } from "../errors/app-error.js";

/**
 * The rules for config vars, shared by the server (which never trusts the
 * client) and the CLI (which checks before sending). Messages name keys,
 * never values: a value may be a secret.
 */

export const MAX_KEY_LENGTH = 255;
/** Per value, in UTF-8 bytes. */
export const MAX_VALUE_BYTES = 64 * 1024;
/** All of an app's `KEY=value` strings together: Linux refuses to exec with more than ~2 MiB of argv + env. */
export const MAX_TOTAL_BYTES = 1024 * 1024;

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A key quoted for a message: JSON escapes newlines and control characters, long keys are cut. */
const show = (key: string) => JSON.stringify(key.length > 60 ? key.slice(0, 60) + "…" : key);

const KEY_HINT =
  "Config var names follow POSIX environment variable rules: letters, digits and '_', not starting with a digit, at most 255 characters (e.g. DATABASE_URL).";

/** What is wrong with a config var name, or null. */
export function keyProblem(key: unknown): { message: string; hint: string } | null {
  if (typeof key !== "string") return { message: "a config var name must be a string", hint: KEY_HINT };
  if (key === "") return { message: "a config var name cannot be empty", hint: KEY_HINT };
  if (key.length > MAX_KEY_LENGTH)
    return {
      message: `a config var name is ${key.length} characters long; the limit is ${MAX_KEY_LENGTH}`,
      hint: KEY_HINT,
    };
  if (!KEY.test(key))
    return {
      message: `invalid config var name ${show(key)}: use letters, digits and '_', not starting with a digit`,
      hint: KEY_HINT,
    };
  if (key === "PORT")
    return {
      message: "PORT cannot be a config var: Yadokari sets it to the port the app must listen on",
      hint: "Make the app listen on $PORT; pick another name for your own setting.",
    };
  if (key.startsWith("YADOKARI_"))
    return {
      message: `${key} cannot be a config var: names starting with YADOKARI_ are reserved for the variables Yadokari sets (YADOKARI_APP, YADOKARI_RELEASE, YADOKARI_PROCESS)`,
      hint: "Pick a name without the YADOKARI_ prefix.",
    };
  return null;
}

/** What is wrong with a value, or null. The message names the key only. */
export function valueProblem(key: string, value: unknown): { message: string; hint: string } | null {
  if (typeof value !== "string")
    return {
      message: `the value of ${key} must be a string`,
      hint: 'Send every value as a JSON string; numbers and booleans too ("3", "true").',
    };
  if (value.includes("\0"))
    return {
      message: `the value of ${key} contains a NUL character, which an environment variable cannot hold`,
      hint: "Remove the NUL byte, or encode binary data (e.g. base64).",
    };
  if (LONE_SURROGATE.test(value))
    return {
      message: `the value of ${key} is not valid UTF-8 text (it has an unpaired surrogate)`,
      hint: "Send UTF-8 text; encode binary data (e.g. base64).",
    };
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > MAX_VALUE_BYTES)
    return {
      message: `the value of ${key} is ${bytes} bytes; the limit is ${MAX_VALUE_BYTES} (64 KiB)`,
      hint: "Keep large files out of the environment: mount them (yk storage:mount) or fetch them at start.",
    };
  return null;
}

export function validateKey(key: unknown): string {
  const p = keyProblem(key);
  if (p) throw new AppError("invalid_request", p.message, p.hint);
  return key as string;
}

export function validateValue(key: string, value: unknown): string {
  const p = valueProblem(key, value);
  if (p) throw new AppError("invalid_request", p.message, p.hint);
  return value as string;
}

/** Refuses a whole config whose environment would not fit in a container's exec. */
export function validateTotal(config: Record<string, string>): void {
  const bytes = Object.entries(config).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k, "utf8") + 1 + Buffer.byteLength(v, "utf8") + 1,
    0,
  );
  if (bytes > MAX_TOTAL_BYTES) {
    throw new AppError(
      "invalid_request",
      `the app's config vars would take ${bytes} bytes; the limit is ${MAX_TOTAL_BYTES} (1 MiB) in all`,
      "Unset config vars you do not need, or move large ones to files (yk storage:mount).",
    );
  }
}

export interface ConfigChange {
  /** key → new value, in the order given */
  set: [string, string][];
  unset: string[];
  restart: boolean;
}

const BODY_HINT = 'Send {"set": {"KEY": "value"}, "unset": ["KEY"], "restart": true}; at least one of set and unset.';

/** Checks a PATCH /config body: every key and value, no key both set and unset, something to change. */
export function parseConfigChange(body: Record<string, unknown>): ConfigChange {
  for (const field of Object.keys(body)) {
    if (!["set", "unset", "restart"].includes(field))
      throw new AppError("invalid_request", `unknown field ${show(field)} in the config change`, BODY_HINT);
  }
  const { set = {}, unset = [], restart = true } = body;
  if (typeof set !== "object" || set === null || Array.isArray(set))
    throw new AppError("invalid_request", "set must be an object of KEY: value strings", BODY_HINT);
  if (!Array.isArray(unset)) throw new AppError("invalid_request", "unset must be an array of names", BODY_HINT);
  if (typeof restart !== "boolean") throw new AppError("invalid_request", "restart must be true or false", BODY_HINT);
  const sets: [string, string][] = Object.entries(set).map(([k, v]) => [validateKey(k), validateValue(k, v)]);
  const unsets = [...new Set(unset.map((k) => validateKey(k)))];
  if (sets.length === 0 && unsets.length === 0)
    throw new AppError("invalid_request", "the config change sets and unsets nothing", BODY_HINT);
  const both = sets.find(([k]) => unsets.includes(k));
  if (both)
    throw new AppError(
      "invalid_request",
      `${both[0]} is both set and unset`,
      "Set it or unset it, not both in one change.",
    );
  return { set: sets, unset: unsets, restart };
}

/** The release description Heroku would write: "Set FOO, BAR", "Unset FOO", "Set FOO; unset BAR". */
export function describeChange(set: readonly string[], unset: readonly string[]): string {
  const parts = [
    set.length ? `Set ${set.join(", ")}` : "",
    unset.length ? `${set.length ? "unset" : "Unset"} ${unset.join(", ")}` : "",
  ];
  return parts.filter(Boolean).join("; ");
}

/**
 * CLI arguments `KEY=value …`: split at the first '=' (values may hold more),
 * `KEY=` is an empty value, later arguments win. Errors never echo a value:
 * an argument without '=' may be a secret pasted on its own.
 */
export function parseAssignments(args: readonly string[]): [string, string][] {
  const out = new Map<string, string>();
  args.forEach((arg, i) => {
    const eq = arg.indexOf("=");
    if (eq < 0) {
      if (!keyProblem(arg))
        throw new AppError(
          "invalid_request",
          `${arg} has no value`,
          `Write ${arg}=value (${arg}= sets it to the empty string); quote values with spaces: ${arg}='a b'.`,
        );
      throw new AppError(
        "invalid_request",
        `argument ${i + 1} is not KEY=value`,
        "Write KEY=value, e.g. DATABASE_URL=postgres://db/app; the first '=' separates the name from the value.",
      );
    }
    const key = arg.slice(0, eq);
    if (key === "")
      throw new AppError(
        "invalid_request",
        `argument ${i + 1} has no name before '='`,
        "Write KEY=value, e.g. DATABASE_URL=postgres://db/app.",
      );
    validateKey(key);
    out.set(key, validateValue(key, arg.slice(eq + 1)));
  });
  return [...out];
}
