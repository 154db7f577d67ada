import { canSeeApp, type Principal, type Role } from "./types.js";

/**
 * What a route needs from its caller, declared once beside the route
 * (src/api/route.ts) and enforced by one middleware (src/api/guard.ts):
 * - `public`: no credentials (health, login, webhooks with their own
 *   signatures); `why` says why, for the reader and the document.
 * - `user`: any authenticated caller; `personal` refuses the bootstrap admin
 *   token, which belongs to no user (it cannot own personal tokens).
 * - `admin`: the admin role.
 * - `createApp`: admins, and deployers granted every app.
 * - `app`: the app named in the path's `app` parameter, with at least `role`
 *   on it (admin > deployer > viewer). An app the caller may not see answers
 *   404, as if absent. `secrets` says what the response holds: "revealed"
 *   (config values, webhook secrets) is refused to viewers whatever `role`
 *   says; "masked" means the route itself hides the values from viewers.
 *   `ask`, on an admin-only app route: the command to ask an admin for
 *   (`{app}` is the app's name), for the refusal's hint.
 */
export type Access =
  | { kind: "public"; why: string }
  | { kind: "user"; personal?: boolean }
  | { kind: "admin" }
  | { kind: "createApp" }
  | { kind: "app"; role: Role; secrets?: "none" | "masked" | "revealed"; ask?: string };

export const access = {
  public: (why: string): Access => ({ kind: "public", why }),
  user: (opts: { personal?: boolean } = {}): Access => ({ kind: "user", ...opts }),
  admin: (): Access => ({ kind: "admin" }),
  createApp: (): Access => ({ kind: "createApp" }),
  app: (role: Role, secrets: "none" | "masked" | "revealed" = "none", ask?: string): Access => ({
    kind: "app",
    role,
    secrets,
    ...(ask ? { ask } : {}),
  }),
};

/** What the policy decided for one request. */
export type Decision = { allow: true } | { allow: false; status: 403 | 404; message: string; hint?: string };

const allow: Decision = { allow: true };
/** The hint says what would help this caller: an admin-only action is not unlocked by the deployer role. */
const forbid = (message: string, hint?: string): Decision => ({ allow: false, status: 403, message, hint });
const ADMIN_ONLY_HINT =
  "Only an admin can do this: ask one to do it for you, or to make you an admin ('yk users:update EMAIL --role admin').";
const deployerHint = (app: string) =>
  `Ask an admin for the deployer role on ${app} ('yk users:update EMAIL --role deployer --apps ${app}'); 'yk whoami' shows your role.`;
const RANK: Record<Role, number> = { viewer: 0, deployer: 1, admin: 2 };

/**
 * Pure: the principal, the route's declared access and the app named in the
 * path (when the route has one) in, a decision out.
 */
export function decide(p: Principal, a: Access, app?: string): Decision {
  const admin = p.role === "admin";
  switch (a.kind) {
    case "public":
      return allow;
    case "user":
      return a.personal && p.userId === null
        ? forbid(
            "the bootstrap admin token cannot create personal tokens: create a user first ('yk users:add EMAIL --role admin')",
          )
        : allow;
    case "admin":
      return admin ? allow : forbid("only admins may do this", ADMIN_ONLY_HINT);
    case "createApp":
      return admin || (p.role === "deployer" && p.allApps)
        ? allow
        : forbid(
            "creating apps needs the admin role, or the deployer role on all apps",
            "Ask an admin to create it, or for the deployer role on all apps ('yk users:update EMAIL --role deployer --apps \"*\"').",
          );
    case "app": {
      if (app === undefined || !canSeeApp(p, app))
        return { allow: false, status: 404, message: `${app ?? "the app"} does not exist` };
      if (a.secrets === "revealed" && p.role === "viewer")
        return forbid("the viewer role cannot read config values or secrets", deployerHint(app));
      if (RANK[p.role] >= RANK[a.role]) return allow;
      if (a.role === "admin")
        return forbid(
          `this needs the admin role (you are ${p.role} on ${app})`,
          a.ask ? `Ask an admin to run '${a.ask.replaceAll("{app}", app)}'.` : ADMIN_ONLY_HINT,
        );
      return forbid(`the viewer role is read-only on ${app}`, deployerHint(app));
    }
  }
}
