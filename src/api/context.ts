import type { Context } from "hono";
import type { Accounts } from "../accounts/accounts.js";
import type { Audit } from "../accounts/audit.js";
import type { Logger } from "../lib/logger.js";

/** What the guard and the error mapping need, set once per request by createApi (src/api/app.ts). */
export interface RequestDeps {
  accounts: Pick<Accounts, "byToken" | "bySession">;
  audit: Pick<Audit, "record">;
  log: Logger;
}

/** Hono's typed context variables of the API. */
export interface ApiEnv {
  Variables: { deps: RequestDeps; requestId: string; log: Logger };
}

export type ApiContext = Context<ApiEnv>;
