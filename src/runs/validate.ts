import { AppError } from "../errors/app-error.js";
import type { RunRequest } from "./contract.js";
import { RUN_ID } from "../domain/ids.js";

export const MAX_ARGS = 256;
export const MAX_ARG_BYTES = 64 * 1024;

const bad = (message: string) =>
  new AppError("invalid_request", message, 'Send {"command": ["program", "arg", …], "tty": false, "detach": false}.');

/** Checks an argv array; the same rules hold in the CLI and on the server. Returns the first problem, or null. */
export function argvProblem(command: unknown): string | null {
  if (!Array.isArray(command)) return "command: must be an array of strings (argv)";
  if (command.length < 1 || command.length > MAX_ARGS)
    return `command: must have 1 to ${MAX_ARGS} arguments, not ${command.length}`;
  for (const [i, arg] of command.entries()) {
    if (typeof arg !== "string") return `command[${i}]: must be a string`;
    if (Buffer.byteLength(arg, "utf8") > MAX_ARG_BYTES) return `command[${i}]: is longer than 64 KiB`;
    if (arg.includes("\0")) return `command[${i}]: contains a NUL byte`;
  }
  if (command[0] === "") return "command[0]: the program name is empty";
  return null;
}

/** The body of POST /runs, validated. */
export function parseRunRequest(body: Record<string, unknown>): Required<RunRequest> {
  const problem = argvProblem(body.command);
  if (problem) throw bad(problem);
  for (const key of ["tty", "detach"] as const) {
    if (body[key] !== undefined && typeof body[key] !== "boolean") throw bad(`${key}: must be true or false`);
  }
  const detach = body.detach === true;
  // A detached run has nobody at a terminal: its output goes to the log as plain lines.
  return { command: body.command as string[], tty: body.tty === true && !detach, detach };
}

/** rows/cols of a terminal: whole numbers from 1 to 1000. */
export function parseSize(rows: unknown, cols: unknown): { rows: number; cols: number } | null {
  const num = (v: unknown) => (typeof v === "string" ? (/^\d{1,4}$/.test(v) ? Number(v) : NaN) : v);
  const r = num(rows);
  const c = num(cols);
  const ok = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 1000;
  return ok(r) && ok(c) ? { rows: r, cols: c } : null;
}

/** Run ids are Docker's full container ids. */
export const isRunId = (id: string) => RUN_ID.test(id);
