import { isAppError } from "../../errors/app-error.js";
import type { ErrorCode } from "../../errors/codes.js";

/** Why a deploy failed, with a stable code (docs/errors.md) the store, the API and the CLI carry. */
export type DeployErrorCode = Extract<
  ErrorCode,
  "health_check_failed" | "release_phase_failed" | "canary_aborted" | "interrupted" | "standby_gone" | "deploy_failed"
>;

/** A deploy that cannot go on: the reason a person can act on, and the failing unit's last lines. */
export class DeployError extends Error {
  constructor(
    readonly code: DeployErrorCode,
    message: string,
    readonly containerLog: string | null = null,
  ) {
    super(message);
  }
}

export interface DeployFailure {
  code: ErrorCode;
  reason: string;
  containerLog: string | null;
  /** not one of ours: a bug, logged with its stack */
  unexpected: boolean;
}

/** The stored form of any error a deploy ended with. */
export function failureOf(e: unknown): DeployFailure {
  if (e instanceof DeployError)
    return { code: e.code, reason: e.message, containerLog: e.containerLog, unexpected: false };
  if (isAppError(e)) return { code: e.code, reason: e.message, containerLog: null, unexpected: false };
  return {
    code: "internal",
    reason: `internal error: ${(e as Error)?.message ?? String(e)}`,
    containerLog: null,
    unexpected: true,
  };
}
