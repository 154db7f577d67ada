import { AppError } from "../errors/app-error.js";

/** Parses a JSON object body, or explains what is wrong with it. */
export async function readJson(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (text.length > 1024 * 1024) throw new AppError("payload_too_large", "the JSON body is larger than 1 MiB");
  let body: unknown;
  try {
    body = JSON.parse(text || "{}");
  } catch {
    throw new AppError("invalid_request", "the request body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new AppError("invalid_request", "the request body must be a JSON object");
  return body as Record<string, unknown>;
}
