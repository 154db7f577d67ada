import { createConnection } from "node:net";
import { AppError } from "../errors/app-error.js";
import type { Expect } from "./live-plan.js";

/**
 * Talks to HAProxy's runtime API (the admin socket): one connection per
 * command, write the command and a newline, read until HAProxy closes. In
 * this non-interactive mode HAProxy answers one command and hangs up.
 */

export type RuntimeErrorKind = "unreachable" | "timeout" | "rejected";

export class RuntimeApiError extends AppError {
  readonly kind: RuntimeErrorKind;
  readonly command: string;

  constructor(kind: RuntimeErrorKind, command: string, message: string, hint?: string) {
    super("router_failed", message, hint, { kind, command });
    this.name = "RuntimeApiError";
    this.kind = kind;
    this.command = command;
  }
}

export function isRuntimeApiError(e: unknown): e is RuntimeApiError {
  return e instanceof RuntimeApiError;
}

export class RuntimeClient {
  constructor(
    readonly socketPath: string,
    private readonly timeoutMs = 5000,
  ) {}

  /**
   * Sends one command and returns HAProxy's whole answer. A `payload` (a PEM
   * for `set ssl cert`) follows the command as `<<` lines ended by an empty
   * line, so it may hold no empty line itself.
   */
  send(command: string, payload?: string): Promise<string> {
    // ';' separates commands and '\n' ends one: neither may hide in a value.
    if (/[;\n\r]/.test(command)) {
      return Promise.reject(
        new RuntimeApiError(
          "rejected",
          command,
          `router: refusing to send a runtime command containing ';' or a newline: ${JSON.stringify(command)}`,
        ),
      );
    }
    if (payload !== undefined && (payload === "" || /\r|\n\s*\n|^\s*\n|\n\s*$/.test(payload))) {
      return Promise.reject(
        new RuntimeApiError("rejected", command, `router: a runtime payload may hold no empty line (${command})`),
      );
    }
    const text = payload === undefined ? `${command}\n` : `${command} <<\n${payload}\n\n`;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const sock = createConnection(this.socketPath);
      const finish = (err: Error | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock.destroy();
        if (err) reject(err);
        else resolve(Buffer.concat(chunks).toString("utf8"));
      };
      const timer = setTimeout(() => {
        finish(
          new RuntimeApiError(
            "timeout",
            command,
            `router: HAProxy's admin socket ${this.socketPath} did not answer "${command}" within ${this.timeoutMs} ms`,
          ),
        );
      }, this.timeoutMs);
      sock.on("connect", () => sock.write(text));
      sock.on("data", (d: Buffer) => chunks.push(d));
      sock.on("end", () => finish(null));
      sock.on("close", () => finish(null));
      sock.on("error", (e: NodeJS.ErrnoException) => {
        finish(
          new RuntimeApiError(
            "unreachable",
            command,
            `router: cannot reach HAProxy's admin socket ${this.socketPath} (${e.code ?? e.message})`,
            "HAProxy is not running or is restarting; the server restarts it (ensureRunning). Its log is <data-dir>/router/haproxy.log.",
          ),
        );
      });
    });
  }

  /** Sends a command whose answer must show success in the way `expect` says. */
  async run(command: string, expect: Expect, payload?: string): Promise<string> {
    const out = await this.send(command, payload);
    if (!accepted(out, expect)) {
      throw new RuntimeApiError(
        "rejected",
        command,
        `router: HAProxy refused "${command}": ${out.trim() || "(no answer)"}`,
      );
    }
    return out;
  }

  /** True when the socket answers a trivial command. */
  async ping(): Promise<boolean> {
    try {
      return (await this.send("show info")).includes("Pid:");
    } catch {
      return false;
    }
  }
}

/** HAProxy answers most changes with an empty line and errors with a sentence. */
export function accepted(out: string, expect: Expect): boolean {
  const text = out.trim();
  switch (expect) {
    case "empty":
      return text === "";
    case "server-added":
      return text.startsWith("New server registered");
    case "server-deleted":
      return text.startsWith("Server deleted");
    case "addr-set":
      return /changed|no need to change/i.test(text);
    case "ssl-new":
      return text.startsWith("New empty certificate store");
    case "ssl-set":
      return /^Transaction (created|updated) for certificate/.test(text);
    case "ssl-success":
      return /(^|\n)Success!$/.test(text);
    case "ssl-deleted":
      return /^Certificate '.*' deleted!$/.test(text);
    case "crtlist-deleted":
      return /^Entry '.*' deleted in crtlist/.test(text);
    case "ssl-aborted":
      return /^Transaction aborted/.test(text);
  }
}
