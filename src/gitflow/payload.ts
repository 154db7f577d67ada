import { AppError } from "../errors/app-error.js";
import { SHA1, ZERO_SHA } from "./ref-format.js";

/** A push, as both GitHub and GitLab describe it. */
export interface PushEvent {
  ref: string;
  /** the new commit; null when the ref was deleted */
  after: string | null;
  deleted: boolean;
}

export type HookEvent = { kind: "ping" } | { kind: "push"; push: PushEvent } | { kind: "other"; name: string };

const bad = (why: string): never => {
  throw new AppError("invalid_request", `malformed webhook body: ${why}`);
};

function parseJson(raw: Uint8Array, contentType = "application/json"): Record<string, unknown> {
  let v: unknown;
  try {
    const text = Buffer.from(raw).toString("utf8");
    // GitHub's other content type: the JSON in a `payload` form field (the signature covers the form body).
    v = JSON.parse(
      /^application\/x-www-form-urlencoded\b/i.test(contentType)
        ? (new URLSearchParams(text).get("payload") ?? "")
        : text,
    );
  } catch {
    return bad("it is not JSON");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return bad("it is not a JSON object");
  return v as Record<string, unknown>;
}

function push(body: Record<string, unknown>): PushEvent {
  const { ref, after } = body;
  if (typeof ref !== "string" || ref.length === 0 || ref.length > 1024) return bad("ref must be a string");
  if (typeof after !== "string" || !SHA1.test(after)) return bad("after must be a 40-character hex commit id");
  const deleted = after === ZERO_SHA || body.deleted === true;
  return { ref, after: deleted ? null : after, deleted };
}

/** X-GitHub-Event push or ping; others are recorded and ignored. */
export function parseGithub(event: string | undefined, raw: Uint8Array, contentType?: string): HookEvent {
  const body = parseJson(raw, contentType);
  if (event === "ping") return { kind: "ping" };
  if (event === "push") return { kind: "push", push: push(body) };
  if (!event) return bad("the X-GitHub-Event header is missing");
  return { kind: "other", name: event.slice(0, 40) };
}

/** X-Gitlab-Event "Push Hook" (object_kind push); others are recorded and ignored. */
export function parseGitlab(event: string | undefined, raw: Uint8Array): HookEvent {
  const body = parseJson(raw);
  if (event === "Push Hook" || (event === undefined && body.object_kind === "push")) {
    if (body.object_kind !== "push") return bad("object_kind must be push for a Push Hook");
    return { kind: "push", push: push(body) };
  }
  if (!event) return bad("the X-Gitlab-Event header is missing");
  return { kind: "other", name: event.slice(0, 40) };
}

/** "7d", "12h", "30m", "45s" → seconds (1 minute to 365 days). */
export function parseTtl(text: unknown): number {
  const m = typeof text === "string" ? /^(\d{1,6})([smhd])$/.exec(text) : null;
  const sec = m ? Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s"] : NaN;
  if (!(sec >= 1 && sec <= 365 * 86400))
    throw new AppError(
      "invalid_request",
      `invalid TTL ${JSON.stringify(text)}: use a number and s, m, h or d (e.g. 7d), at most 365d`,
    );
  return sec;
}

export function formatTtl(sec: number): string {
  for (const [u, n] of [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
  ] as const)
    if (sec % n === 0) return `${sec / n}${u}`;
  return `${sec}s`;
}
