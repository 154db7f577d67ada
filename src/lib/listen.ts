import { AppError } from "../errors/app-error.js";

/** Parses "host:port" (or ":port" / "port") as the server flags take it. */
export function parseListen(value: string, flag: string): { host: string; port: number } {
  const m = /^(?:(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):)?(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535)
    throw new AppError(
      "invalid_request",
      `${flag} ${JSON.stringify(value)}: expected host:port, e.g. 127.0.0.1:7700`,
      `Pass ${flag} HOST:PORT.`,
    );
  return { host: m[1] || "0.0.0.0", port };
}
