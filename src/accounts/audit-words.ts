/**
 * The audit log in words: what a change did, said the way a user would say it
 * (`set config vars DATABASE_URL, SECRET`, `deployed v12 of web from git main@abc1234`).
 * Pure: the request's method, path, query, JSON body and JSON answer in, words
 * out. Only names are taken from a body (config var names, never values; a
 * user's email and role, never a password).
 */

/** What an entry points at, to say at read time how it ended: a deploy, or a webhook delivery (whose deploy comes later). */
export type AuditLink =
  | { deploy: number; kind: "deploy"; origin?: string }
  | { deploy: number; kind: "change" }
  | { delivery: { app: string; provider: string; id: string } };

export interface Described {
  summary: string;
  link: AuditLink | null;
}

export interface ChangeFacts {
  method: string;
  /** the path under /api/v1, e.g. /apps/web/config */
  path: string;
  query: URLSearchParams;
  /** the request's JSON object, when it had one */
  body: Record<string, unknown> | null;
  /** the answer's JSON, when it was a success with JSON */
  response: unknown;
}

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
/** Names from a user-supplied list, cut short so a huge body cannot make a huge entry. */
const names = (keys: unknown[]): string => {
  const list = keys.map((k) => String(k).slice(0, 80));
  return list.length > 12 ? `${list.slice(0, 12).join(", ")} and ${list.length - 12} more` : list.join(", ");
};
const short = (sha: string | null) => (sha ? sha.slice(0, 7) : null);
const branchOf = (ref: string | null) => (ref ? ref.replace(/^refs\/heads\//, "") : null);

/** "git main@abc1234", "git abc1234", "an upload" */
export function originOf(d: { source: string; commit: string | null; ref: string | null }): string {
  if (d.source === "git" || d.commit) {
    const b = branchOf(d.ref);
    const c = short(d.commit);
    return `git ${b && c ? `${b}@${c}` : (b ?? c ?? "")}`.trimEnd();
  }
  if (d.source === "tar") return "an upload";
  return `a ${d.source}`;
}

const deployLink = (response: unknown, kind: "deploy" | "change", origin?: string): AuditLink | null => {
  const id = num(obj(response).id);
  return id === null
    ? null
    : kind === "deploy"
      ? { deploy: id, kind, ...(origin ? { origin } : {}) }
      : { deploy: id, kind };
};

export function describeChange(f: ChangeFacts): Described {
  const { method, body, response } = f;
  const b = body ?? {};
  const parts = f.path.replace(/\/+$/, "").split("/").slice(1).map(decode);
  const [area, app, sub, a3, a4] = parts;
  const plain = (summary: string, link: AuditLink | null = null): Described => ({ summary, link });
  const fallback = plain(`${method} /api/v1${f.path}`);

  if (area === "session" && method === "DELETE") return plain("logged out");
  if (area === "users") {
    if (method === "POST") return plain(`added user ${str(b.email) ?? "?"} as ${str(b.role) ?? "?"}`);
    if (method === "PATCH" && app) {
      const what = [
        b.role !== undefined ? `role ${str(b.role) ?? "?"}` : "",
        b.apps !== undefined ? `apps ${b.apps === "*" ? "*" : Array.isArray(b.apps) ? names(b.apps) : "?"}` : "",
        b.password !== undefined ? "password" : "",
      ].filter(Boolean);
      return plain(`changed user ${app}${what.length ? `: ${what.join(", ")}` : ""}`);
    }
    if (method === "DELETE" && app) return plain(`removed user ${app}`);
  }
  if (area === "tokens") {
    if (method === "POST") return plain(`created personal token "${(str(b.name) ?? "token").slice(0, 80)}"`);
    if (method === "DELETE" && app) return plain(`revoked personal token #${app}`);
  }
  if (area === "config" && app === "rotate-key") return plain("rotated the master key");
  if (area !== "apps") return fallback;

  if (!app) return method === "POST" ? plain(`created app ${str(obj(response).name) ?? str(b.name) ?? "?"}`) : fallback;
  if (sub === undefined) {
    if (method === "DELETE") return plain(`destroyed app ${app}`);
    if (method === "PATCH")
      return plain(
        `changed app ${app}: ${Object.entries(b)
          .map(([k, v]) => `${k.slice(0, 40)}=${String(v).slice(0, 20)}`)
          .join(", ")}`,
      );
    return fallback;
  }
  switch (sub) {
    case "builds": {
      const origin = originOf({
        source: f.query.get("commit") ? "git" : "tar",
        commit: f.query.get("commit"),
        ref: f.query.get("ref"),
      });
      return plain(`deploy of ${app} from ${origin}`, deployLink(response, "deploy", origin));
    }
    case "domains":
      if (method === "POST") return plain(`added domain ${str(b.hostname) ?? "?"} to ${app}`);
      if (method === "DELETE") return plain(`removed domain ${a3 ?? "?"} from ${app}`);
      break;
    case "formation":
      return plain(
        `scaled ${app}: ${Object.entries(b)
          .map(([t, n]) => `${t.slice(0, 40)}=${String(n).slice(0, 6)}`)
          .join(", ")}`,
      );
    case "ps":
      if (a3 === "restart")
        return plain(`restarted ${str(b.type) ?? "every process"} of ${app}`, deployLink(response, "change"));
      if (a3 === "stop") return plain(`stopped ${app}`);
      if (a3 === "start") return plain(`started ${app}`);
      break;
    case "deploy-settings":
      return plain(
        `changed the deploy settings of ${app}: ${Object.entries(b)
          .map(([k, v]) => `${k.slice(0, 40)}=${(Array.isArray(v) ? v.join(",") : String(v)).slice(0, 60)}`)
          .join(", ")}`,
      );
    case "config": {
      const set = Object.keys(obj(b.set));
      const unset = Array.isArray(b.unset) ? b.unset : [];
      const what = [
        set.length ? `set config vars ${names(set)}` : "",
        unset.length ? `unset config vars ${names(unset)}` : "",
      ]
        .filter(Boolean)
        .join("; ");
      const d = obj(obj(response).deploy);
      return plain(`${what || "changed no config var"} on ${app}`, deployLink(d, "change"));
    }
    case "rollback": {
      const v = num(b.version);
      return plain(
        `rolled ${app} back to ${v === null ? "the previous release" : `v${v}`}`,
        deployLink(response, "change"),
      );
    }
    case "cron":
      if (a4 === "run") return plain(`ran cron job ${a3} of ${app} now`);
      break;
    case "runs":
      if (method === "POST" && a3 === undefined) {
        const argv = Array.isArray(b.command) ? b.command : [];
        // the program only: its arguments may carry secrets
        return plain(
          `started a one-off run of ${app}: ${String(argv[0] ?? "?").slice(0, 60)}${argv.length > 1 ? " …" : ""}${b.detach === true ? " (detached)" : ""}`,
        );
      }
      if (method === "DELETE") return plain(`stopped a one-off run of ${app}`);
      if (a4 === "resize") return plain(`resized the terminal of a one-off run of ${app}`);
      if (a4 === "attach") return plain(`attached to a one-off run of ${app}`);
      break;
    case "storage":
      if (method === "POST") {
        const r = obj(response);
        return plain(
          `mounted ${str(r.source) ?? str(b.source) ?? "?"} at ${str(r.containerPath) ?? str(b.containerPath) ?? "?"} in ${app}`,
        );
      }
      if (method === "DELETE") return plain(`unmounted ${f.query.get("path") ?? "?"} from ${app}`);
      break;
    case "git":
      if (method === "PUT") {
        // the answer's URL: a password in it is masked there
        const repo = obj(obj(response).repository);
        return plain(
          `connected ${app} to ${str(repo.url) ?? "a repository"} (branch ${str(repo.branch) ?? str(b.branch) ?? "main"})`,
        );
      }
      if (a3 === "deploy") {
        const r = obj(response);
        const origin = originOf({ source: "git", commit: str(r.commit), ref: str(r.ref) });
        return plain(`deploy of ${app} from ${origin}`, deployLink(response, "deploy", origin));
      }
      break;
    case "hooks":
      if (a3 === "secret")
        return plain(b.rotate === true ? `rotated the webhook secret of ${app}` : `read the webhook secret of ${app}`);
      break;
    case "review-apps": {
      if (a3 === "enable")
        return plain(`enabled review apps on ${app} (TTL ${str(obj(response).ttl) ?? str(b.ttl) ?? "7d"})`);
      if (a3 === "disable") return plain(`disabled review apps on ${app}`);
      if (a3 === "config") {
        const set = Object.keys(obj(b.set));
        const unset = Array.isArray(b.unset) ? b.unset : [];
        return plain(
          [
            set.length ? `set review app config vars ${names(set)}` : "",
            unset.length ? `unset review app config vars ${names(unset)}` : "",
          ]
            .filter(Boolean)
            .join("; ") + ` on ${app}`,
        );
      }
      if (method === "POST") {
        const r = obj(response);
        const ra = str(obj(r.reviewApp).app);
        const branch = str(b.branch) ?? "?";
        const d = obj(r.deploy);
        const origin = originOf({ source: "git", commit: str(d.commit), ref: str(d.ref) ?? `refs/heads/${branch}` });
        return plain(`deploy of review app ${ra ?? "?"} of ${app} from ${origin}`, deployLink(d, "deploy", origin));
      }
      if (method === "DELETE")
        return plain(`destroyed the review app of ${app} for branch ${f.query.get("branch") ?? "?"}`);
      break;
    }
    case "promote": {
      const origin = `${app}'s live image`;
      return plain(`promotion of ${app}'s live image to ${str(b.to) ?? "?"}`, deployLink(response, "deploy", origin));
    }
    case "deploy": {
      const done = { pause: "paused", resume: "resumed", promote: "promoted", abort: "aborted" }[a3 ?? ""];
      if (done) return plain(`${done} the canary of ${app}`);
      break;
    }
  }
  return fallback;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A deploy as the audit log tells its end. */
export interface DeployFacts {
  id: number;
  app: string;
  status: string;
  source: string;
  commit: string | null;
  ref: string | null;
  releaseVersion: number | null;
  steps: { name: string; status: string }[];
}

/**
 * The words shown for an entry: its summary, with how its deploy went when it
 * has one (looked up now, so a deploy that finished since says so).
 */
export function auditWords(
  e: { summary: string | null; action: string; link: AuditLink | null },
  lookup: {
    deploy(id: number): DeployFacts | null;
    delivery(app: string, provider: string, id: string): { outcome: string; deployId: number | null } | null;
  },
): string {
  const base = e.summary ?? e.action;
  const link = e.link;
  if (!link) return base;
  if ("delivery" in link) {
    const dl = lookup.delivery(link.delivery.app, link.delivery.provider, link.delivery.id);
    if (!dl) return base;
    const d = dl.deployId === null ? null : lookup.deploy(dl.deployId);
    return d
      ? deployWords(d, originOf(d))
      : `${link.delivery.provider} webhook delivery ${link.delivery.id}: ${dl.outcome}`;
  }
  const d = lookup.deploy(link.deploy);
  if (!d) return base;
  if (link.kind === "deploy") return deployWords(d, link.origin ?? originOf(d));
  const failed = d.steps.find((s) => s.status === "failed");
  if (d.status === "succeeded") return `${base}: v${d.releaseVersion ?? "?"} live (deploy #${d.id})`;
  if (d.status === "failed") return `${base}: deploy #${d.id} failed${failed ? ` at ${failed.name}` : ""}`;
  return `${base} (deploy #${d.id}, ${d.status})`;
}

function deployWords(d: DeployFacts, origin: string): string {
  const failed = d.steps.find((s) => s.status === "failed");
  if (d.status === "succeeded") return `deployed v${d.releaseVersion ?? "?"} of ${d.app} from ${origin}`;
  if (d.status === "failed")
    return `deploy #${d.id} of ${d.app} from ${origin} failed${failed ? ` at ${failed.name}` : ""}`;
  return `deploying ${d.app} from ${origin} (deploy #${d.id}, ${d.status})`;
}
