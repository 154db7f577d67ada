import { CODES, type ErrorCode } from "./codes.js";

/**
 * The one error type that crosses module boundaries. It carries a stable code
 * (documented in docs/errors.md), a message saying what is wrong, and a hint
 * saying how to fix it. The HTTP status comes from the catalogue so that the
 * API maps errors in one place.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly status: number;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, hint?: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.hint = hint ?? CODES[code].hint;
    this.status = CODES[code].status;
    this.details = details;
  }

  toJSON(): { code: string; message: string; hint: string; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
