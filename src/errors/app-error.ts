import { CODES, type ErrorCode } from "./codes.js";

/**
 * The one error type that crosses module boundaries. It carries a stable code
 * (documented in docs/errors.md), a message saying what is wrong, and a hint
 * saying how to fix it. The HTTP status comes from the catalogue so that the
 * API maps errors in one place.
 */
/** Longer messages are cut: they quote input, and input can be long. */
export const MAX_MESSAGE = 600;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly status: number;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, hint?: string, details?: Record<string, unknown>) {
    // A message may quote what was sent: never a 10,000-character echo of it.
    super(message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE)}… (cut)` : message);
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
