import { z } from "@hono/zod-openapi";
import { CODES, type ErrorCode } from "../../errors/codes.js";

/** Every error: `{ error: { code, message, hint, details? } }`, the status from src/errors/codes.ts. */
export const ErrorBody = z
  .strictObject({
    error: z.strictObject({
      code: z.enum(Object.keys(CODES) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      hint: z.string(),
      details: z
        .record(z.string(), z.unknown())
        .optional()
        .openapi({ description: "machine-readable extras: issues (a malformed request), retryAfterSec, exitCode…" }),
    }),
  })
  .openapi("Error");

/** A JSON response or request body with this schema. */
export const json = <T extends z.ZodType>(schema: T, description = "OK") => ({
  description,
  content: { "application/json": { schema } },
});

/** A JSON request body; `required` so that a missing body is checked against the schema too. */
export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  ...(description ? { description } : {}),
  content: { "application/json": { schema } },
});

/** A JSON body that may be left out (`{}` is validated then). */
export const optionalJsonBody = <T extends z.ZodType>(schema: T) => ({
  required: false,
  content: { "application/json": { schema } },
});

export const textStream = (description: string) => ({
  description,
  content: { "text/plain": { schema: z.string() } },
});

/** Path parameters `{app}` (and more). */
export const Empty = z.strictObject({});
