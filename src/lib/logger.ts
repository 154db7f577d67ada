import { pino, type DestinationStream } from "pino";

/**
 * The server's log: JSON lines through pino (one object per line: time,
 * level, msg and fields such as requestId or deployId), or a short line per
 * event for a person at a terminal (`--log-format pretty`). Code logs
 * through this interface only, so tests capture what was logged.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `bindings` to every line (a request id, a deploy id). */
  child(bindings: LogFields): Logger;
}

/** A logged line, as parsed back from its JSON. */
export interface LogEntry extends LogFields {
  level: LogLevel;
  time: string;
  msg: string;
}

class PinoLogger implements Logger {
  constructor(private readonly p: pino.Logger) {}
  debug(msg: string, fields?: LogFields): void {
    this.p.debug(fields ?? {}, msg);
  }
  info(msg: string, fields?: LogFields): void {
    this.p.info(fields ?? {}, msg);
  }
  warn(msg: string, fields?: LogFields): void {
    this.p.warn(fields ?? {}, msg);
  }
  error(msg: string, fields?: LogFields): void {
    this.p.error(fields ?? {}, msg);
  }
  child(bindings: LogFields): Logger {
    return new PinoLogger(this.p.child(bindings));
  }
}

/** Writes each JSON line as `10:00:00.123 INFO  message key=value …`. */
export function prettyDestination(out: { write(s: string): unknown }): DestinationStream {
  return {
    write(line: string) {
      let o: LogEntry;
      try {
        o = JSON.parse(line) as LogEntry;
      } catch {
        out.write(line);
        return;
      }
      const { level, time, msg, ...rest } = o;
      const fields = Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === "string" && !/\s/.test(v) ? v : JSON.stringify(v)}`)
        .join(" ");
      const clock = typeof time === "string" ? time.slice(11, 23) : "";
      out.write(`${clock} ${String(level).toUpperCase().padEnd(5)} ${msg}${fields ? `  ${fields}` : ""}\n`);
    },
  };
}

export function createLogger(
  opts: {
    level?: LogLevel;
    format?: "json" | "pretty";
    /** where lines go; default stdout, written synchronously so that no line is lost at exit */
    destination?: { write(s: string): unknown };
  } = {},
): Logger {
  const raw: DestinationStream = opts.destination
    ? { write: (s: string) => void opts.destination!.write(s) }
    : pino.destination({ dest: 1, sync: true });
  const dest = opts.format === "pretty" ? prettyDestination(raw) : raw;
  return new PinoLogger(
    pino(
      {
        level: opts.level ?? "info",
        base: undefined,
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      dest,
    ),
  );
}

/** A logger whose lines are kept in memory (tests): the same pino JSON lines, parsed back. */
export function captureLogger(level: LogLevel = "debug"): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const logger = createLogger({ level, destination: { write: (s: string) => entries.push(JSON.parse(s)) } });
  return Object.assign(logger, { entries });
}

/** Logs nothing. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
