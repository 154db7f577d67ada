import { canSeeApp, type Principal } from "./types.js";

/** What the policy decided for one request. */
export type Decision = { allow: true } | { allow: false; status: 403 | 404; message: string };

const READ = new Set(["GET", "HEAD"]);
const allow: Decision = { allow: true };
const forbid = (message: string): Decision => ({ allow: false, status: 403, message });

/**
 * Who may call what, for every route under /api/v1, in one place: a route
 * added later is covered by its prefix, and an unknown prefix is admins'
 * only (fail closed). Pure: the principal, the method and the path in, a
 * decision out. Apps the caller may not see answer 404, as if absent.
 */
export function authorize(p: Principal, method: string, path: string): Decision {
  const m = method.toUpperCase();
  const parts = path.replace(/\/+$/, "").split("/").slice(3); // "", "api", "v1", ...
  const [area, appName, sub, ...rest] = parts.map((x) => {
    try {
      return decodeURIComponent(x);
    } catch {
      return x;
    }
  });
  const admin = p.role === "admin";

  switch (area) {
    case "me":
    case "session":
    case "events": // filtered to the apps the caller may see
      return allow;
    case "tokens":
      // personal tokens: each user manages their own; the bootstrap admin token has no user to own more
      return p.userId === null && !READ.has(m)
        ? forbid(
            "the bootstrap admin token cannot create personal tokens: create a user first ('yk users:add EMAIL --role admin')",
          )
        : allow;
    case "apps":
      break;
    default:
      return admin ? allow : forbid(`only admins may use /api/v1/${area ?? ""}`);
  }

  if (appName === undefined) {
    if (READ.has(m)) return allow; // the list is filtered to the apps the caller may see
    return admin || (p.role === "deployer" && p.allApps)
      ? allow
      : forbid("creating apps needs the admin role, or the deployer role on all apps");
  }
  if (!canSeeApp(p, appName)) return { allow: false, status: 404, message: `${appName} does not exist` };
  if (admin) return allow;
  if (sub === undefined && m === "DELETE") return forbid("destroying an app needs the admin role");
  if (p.role === "viewer") {
    if (!READ.has(m)) return forbid(`the viewer role is read-only on ${appName}`);
    if (sub === "config" && rest.length > 0) return forbid("the viewer role cannot read config values");
    if (sub === "runs" && rest.at(-1) === "attach") return forbid("the viewer role cannot run commands");
  }
  return allow;
}
