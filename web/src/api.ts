/** The browser's client of /api/v1: same-origin cookie session, CSRF header on changes, typed errors. */
import type { CanaryStatusView } from "../../src/canary/control.js";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

let csrf = "";
export const setCsrf = (token: string) => void (csrf = token);

/** "/apps/<name>/config": each segment escaped, so a name can never change the route. */
export const path = (...segments: (string | number)[]) =>
  "/" + segments.map((s) => encodeURIComponent(String(s))).join("/");

async function send(method: string, p: string, body?: BodyInit, contentType?: string): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (contentType) headers["content-type"] = contentType;
  if (method !== "GET" && csrf) headers["x-csrf-token"] = csrf;
  let res: Response;
  try {
    res = await fetch("/api/v1" + p, { method, headers, body, credentials: "same-origin" });
  } catch {
    throw new ApiError(
      0,
      "unreachable",
      "The Yadokari server did not answer.",
      "Check that it is running, then try again.",
    );
  }
  if (!res.ok) {
    const text = await res.text();
    let e: { code?: string; message?: string; hint?: string; details?: Record<string, unknown> } = {};
    try {
      e = JSON.parse(text).error ?? {};
    } catch {
      /* not JSON */
    }
    if (res.status === 401) window.dispatchEvent(new CustomEvent("yk:unauthorized"));
    throw new ApiError(
      res.status,
      e.code ?? "error",
      e.message ?? `${method} ${p} failed (${res.status})`,
      e.hint ?? "",
      e.details,
    );
  }
  return res;
}

export async function api<T>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await send(
    method,
    p,
    body === undefined ? undefined : JSON.stringify(body),
    body === undefined ? undefined : "application/json",
  );
  return (await res.json()) as T;
}

export async function upload<T>(p: string, file: Blob, contentType: string): Promise<T> {
  return (await (await send("POST", p, file, contentType)).json()) as T;
}

/** Reads a text/plain stream line by line until it ends or `signal` aborts. */
export async function streamLines(p: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch("/api/v1" + p, { credentials: "same-origin", signal });
  if (!res.ok || !res.body) throw new ApiError(res.status, "stream_failed", `could not read ${p} (${res.status})`, "");
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        onLine(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    }
    if (buffered) onLine(buffered);
  } catch (e) {
    if (!signal.aborted) throw e;
  }
}

// Shapes of the API (see src/api/contract.ts and /api/openapi.json).
export type Role = "admin" | "deployer" | "viewer";
export interface Me {
  name: string;
  role: Role;
  apps: string[] | "*";
  via: string;
  csrf?: string;
}
export interface LastDeploy {
  id: number;
  status: string;
  createdAt: string;
  finishedAt: string | null;
}
export interface AppView {
  name: string;
  createdAt: string;
  formation: Record<string, number>;
  liveRelease: number | null;
  status: string;
  urls: string[];
  domains: string[];
  gitUrl: string;
  lastDeploy?: LastDeploy | null;
  reviewOf?: { parent: string; branch: string } | null;
}
export interface DeployStep {
  name: string;
  status: "running" | "done" | "failed";
  startedAt: string;
  finishedAt: string | null;
  detail: string | null;
}
export interface DeployView {
  id: number;
  app: string;
  status: string;
  source: string;
  commit: string | null;
  ref: string | null;
  releaseVersion: number | null;
  reason: string | null;
  errorCode: string | null;
  supersededBy: number | null;
  containerLog: string | null;
  steps: DeployStep[];
  createdAt: string;
  finishedAt: string | null;
  urls: string[];
}
export interface ReleaseView {
  version: number;
  image: string;
  commit: string | null;
  description: string;
  createdAt: string;
  createdBy?: string;
  live: boolean;
}
export interface ProcessView {
  type: string;
  quantity: number;
  command: string | null;
  running: number;
  restarts: number;
  crashLoop: boolean;
  lastExitCode: number | null;
  backoffUntil: string | null;
}
export interface ContainerView {
  id: string;
  name: string;
  process: string;
  release: number;
  state: string;
  status: string;
  address: string | null;
  startedAt: string | null;
  routed: boolean;
}
export interface DomainView {
  hostname: string;
  kind: "default" | "custom";
}
export interface UserView {
  email: string;
  role: Role;
  apps: string[] | "*";
  createdAt: string;
  createdBy: string;
}
export interface TokenView {
  id: number;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  /** what happened, in words */
  summary: string;
  app: string | null;
  ip: string;
  status: number;
  ok: boolean;
}

// The views of the canary and metrics routes are the server's own types (type-only: nothing of src/ is bundled for them).
export type { Figures as FiguresView } from "../../src/metrics/series.js";
export type { MetricsView } from "../../src/metrics/view.js";
export type CanaryView = CanaryStatusView;
export interface DeployStatusView {
  app: string;
  deploy: { id: number; status: string; reason: string | null } | null;
  canary: CanaryView | null;
}

// Cron, storage, git, webhooks, review apps: the server's own shapes where it has them as types.
export type { CronJobView, CronRunView } from "../../src/cron/types.js";
export type { MountView } from "../../src/storage/contract.js";
export interface GitInfoView {
  app: string;
  repository: { url: string; branch: string; connectedAt: string } | null;
  webhooks: { github: string; gitlab: string; secretSet: boolean };
  reviewApps: { enabled: boolean; ttlSec: number };
  reviewOf: { parent: string; branch: string } | null;
}
export interface DeliveryView {
  deliveryId: string;
  provider: string;
  event: string;
  accepted: boolean;
  ref: string | null;
  commit: string | null;
  outcome: string;
  createdAt: string;
}
export interface ReviewAppView {
  app: string;
  parent: string;
  branch: string;
  slug: string;
  url: string;
  liveRelease: number | null;
  commit: string | null;
  lastPushAt: string;
  createdAt: string;
}
export interface ReviewAppsView {
  enabled: boolean;
  ttl: string;
  apps: ReviewAppView[];
}
/** GET/PATCH /apps/:app/deploy-settings: only what was set; unset keys take app.json's or the defaults. */
export type { DeploySettings } from "../../src/domain/types.js";
