import { canSeeApp, type Principal } from "./types.js";

/** What the policy decided for one request. */
export type Decision = { allow: true } | { allow: false; status: 403 | 404; message: string; hint?: string };

const READ = new Set(["GET", "HEAD"]);
const allow: Decision = { allow: true };
/** The hint says what would help this caller: an admin-only action is not unlocked by the deployer role. */
const forbid = (message: string, hint?: string): Decision => ({ allow: false, status: 403, message, hint });
const ADMIN_ONLY_HINT =
  "Only an admin can do this: ask one to do it for you, or to make you an admin ('yk users:update EMAIL --role admin').";
const deployerHint = (app: string) =>
  `Ask an admin for the deployer role on ${app} ('yk users:update EMAIL --role deployer --apps ${app}'); 'yk whoami' shows your role.`;

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
      return admin ? allow : forbid(`only admins may use /api/v1/${area ?? ""}`, ADMIN_ONLY_HINT);
  }

  if (appName === undefined) {
    if (READ.has(m)) return allow; // the list is filtered to the apps the caller may see
    return admin || (p.role === "deployer" && p.allApps)
      ? allow
      : forbid(
          "creating apps needs the admin role, or the deployer role on all apps",
          "Ask an admin to create it, or for the deployer role on all apps ('yk users:update EMAIL --role deployer --apps \"*\"').",
        );
  }
  if (!canSeeApp(p, appName)) return { allow: false, status: 404, message: `${appName} does not exist` };
  if (admin) return allow;
  if (sub === undefined && m === "DELETE")
    return forbid(
      "destroying an app needs the admin role",
      `Ask an admin to run 'yk apps:destroy ${appName} --confirm ${appName}'.`,
    );
  if (p.role === "viewer") {
    if (!READ.has(m)) return forbid(`the viewer role is read-only on ${appName}`, deployerHint(appName));
    if (sub === "config" && rest.length > 0)
      return forbid("the viewer role cannot read config values", deployerHint(appName));
    if (sub === "runs" && rest.at(-1) === "attach")
      return forbid("the viewer role cannot run commands", deployerHint(appName));
  }
  return allow;
}
