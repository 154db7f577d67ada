import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { ErrorBody } from "../api/contract.js";
import { atomicWrite } from "../lib/atomic-write.js";
import { CODES } from "../errors/codes.js";

/**
 * The error every CLI module throws; src/main/cli.ts is the only place that
 * prints it. `code` is the server's stable code when the server sent one,
 * otherwise a CLI-side one ("usage", "unreachable", "bad_response", ...).
 * `exitCode` is 2 for usage errors, 1 for everything else.
 */
export class CliError extends Error {
  readonly code: string;
  readonly hint: string;
  readonly status: number | null;
  readonly exitCode: number;

  constructor(
    code: string,
    message: string,
    hint: string,
    opts: { status?: number; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "CliError";
    this.code = code;
    this.hint = hint;
    this.status = opts.status ?? null;
    this.exitCode = opts.exitCode ?? 1;
  }
}

/** A wrong or missing argument: the command never reached the server. */
export function usageError(message: string, hint: string): CliError {
  return new CliError("usage", message, hint, { exitCode: 2 });
}

export interface ClientConfig {
  url: string;
  token: string | null;
}

/** Where the API listens when nothing is configured (the server's default --api-listen). */
export const DEFAULT_URL = "http://127.0.0.1:7700";

export function configPath(env: NodeJS.ProcessEnv): string {
  if (env.YADOKARI_CONFIG) return env.YADOKARI_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "yadokari", "config.json");
}

/** The saved `yk login` config; a missing file is an empty config, a corrupt one is an error. */
export function loadConfig(env: NodeJS.ProcessEnv): Partial<ClientConfig> {
  const path = configPath(env);
  if (!existsSync(path)) return {};
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    return {
      url: typeof data.url === "string" ? data.url : undefined,
      token: typeof data.token === "string" ? data.token : undefined,
    };
  } catch (e) {
    throw new CliError(
      "bad_config",
      `Cannot read the CLI config ${path}: ${(e as Error).message}`,
      "Fix or delete the file, then run: yk login --url URL --token TOKEN",
      { cause: e },
    );
  }
}

/** Saves the config readable by the owner only, because it holds the admin token. */
export async function saveConfig(env: NodeJS.ProcessEnv, cfg: ClientConfig): Promise<string> {
  const path = configPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  await atomicWrite(path, JSON.stringify({ url: cfg.url, token: cfg.token }, null, 2) + "\n", { mode: 0o600 });
  return path;
}

/** Environment beats the saved config, so scripts and CI need no `yk login`. */
export function resolveConfig(env: NodeJS.ProcessEnv): ClientConfig {
  const saved = loadConfig(env);
  return {
    url: normalizeUrl(env.YADOKARI_URL || saved.url || DEFAULT_URL),
    token: env.YADOKARI_TOKEN || saved.token || null,
  };
}

export function normalizeUrl(url: string): string {
  return url.replace(/\/+$/, "");
}

/** The calls commands make; tests pass a fake with the same shape. */
export interface Api {
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** `onProgress` is told how many bytes were handed to the connection so far */
  upload<T>(path: string, data: Uint8Array, contentType: string, onProgress?: (sent: number) => void): Promise<T>;
  lines(path: string): AsyncIterable<string>;
}

/** Builds "/api/v1/apps/<app>/..." with each segment escaped, so a name can never change the route. */
export function apiPath(...segments: string[]): string {
  return "/api/v1/" + segments.map(encodeURIComponent).join("/");
}

type FetchFn = typeof fetch;

/** The bytes as a stream of 256 KiB chunks, reporting each one as the connection takes it. */
function chunked(data: Uint8Array, onProgress: (sent: number) => void): ReadableStream<Uint8Array> {
  const CHUNK = 256 * 1024;
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= data.length) {
        onProgress(data.length);
        return controller.close();
      }
      const end = Math.min(offset + CHUNK, data.length);
      controller.enqueue(data.subarray(offset, end));
      offset = end;
      onProgress(offset);
    },
  });
}

export class HttpApi implements Api {
  constructor(
    readonly config: ClientConfig,
    private readonly fetchFn: FetchFn = fetch,
  ) {}

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await this.send(method, path, headers, body === undefined ? undefined : JSON.stringify(body));
    return (await readJson(res, method, path)) as T;
  }

  async upload<T>(
    path: string,
    data: Uint8Array,
    contentType: string,
    onProgress?: (sent: number) => void,
  ): Promise<T> {
    const headers = { accept: "application/json", "content-type": contentType, "content-length": String(data.length) };
    const res = await this.send("POST", path, headers, onProgress ? chunked(data, onProgress) : data);
    return (await readJson(res, "POST", path)) as T;
  }

  /** Yields the text body line by line as it arrives (logs, deploy progress). */
  async *lines(path: string): AsyncIterable<string> {
    const res = await this.send("GET", path, { accept: "text/plain" });
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffered = "";
    try {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (e) {
          throw this.unreachable(e, "The connection to the server was lost");
        }
        if (chunk.done) break;
        buffered += decoder.decode(chunk.value, { stream: true });
        let nl: number;
        while ((nl = buffered.indexOf("\n")) >= 0) {
          yield buffered.slice(0, nl).replace(/\r$/, "");
          buffered = buffered.slice(nl + 1);
        }
      }
      buffered += decoder.decode();
      if (buffered) yield buffered;
    } finally {
      // Stops the download when the consumer stops early (e.g. an error while printing).
      reader.cancel().catch(() => {});
    }
  }

  private async send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string | Uint8Array | ReadableStream<Uint8Array>,
  ): Promise<Response> {
    if (this.config.token) headers.authorization = `Bearer ${this.config.token}`;
    let res: Response;
    try {
      // The cast only bridges TypeScript's ArrayBufferLike/ArrayBuffer generics; fetch takes any Uint8Array.
      // a stream body needs duplex "half" (Node's fetch); a string or bytes do not mind it
      res = await this.fetchFn(this.config.url + path, {
        method,
        headers,
        body: body as BodyInit | undefined,
        duplex: "half",
      } as RequestInit);
    } catch (e) {
      throw this.unreachable(e, "The Yadokari server is not reachable");
    }
    if (!res.ok) throw await errorFromResponse(res, method, path);
    return res;
  }

  private unreachable(e: unknown, what: string): CliError {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (e as Error).message;
    return new CliError(
      "unreachable",
      `${what} at ${this.config.url} (${why}).`,
      "Start it with 'npm run up' (or 'yk server'), or point the CLI at the right server: 'yk login --url URL --token TOKEN' or YADOKARI_URL.",
      { cause: e },
    );
  }
}

/**
 * The server's generic hints speak of the API (its document, its
 * Authorization header), which a CLI user never wrote against: point at the
 * command's own arguments, or at yk login, instead. Specific hints pass as they are.
 */
export function cliHint(serverHint: string): string {
  if (serverHint === CODES.invalid_request.hint)
    return "Check the command's arguments and flags: run it with --help to see them.";
  if (serverHint === CODES.unauthorized.hint)
    return "Log in: yk login --url URL --email EMAIL --password-stdin (or --token TOKEN), or set YADOKARI_TOKEN.";
  return serverHint;
}

/** Maps an error response to a CliError, trusting the server's message and hint when it sent the standard body. */
export async function errorFromResponse(res: Response, method: string, path: string): Promise<CliError> {
  const text = await res.text().catch(() => "");
  let body: Partial<ErrorBody> | null;
  try {
    body = JSON.parse(text) as Partial<ErrorBody>;
  } catch {
    body = null;
  }
  const err = body?.error;
  if (err && typeof err.message === "string") {
    return new CliError(err.code ?? "unknown", err.message, cliHint(err.hint ?? ""), { status: res.status });
  }
  return new CliError(
    "bad_response",
    `The server answered ${res.status} ${res.statusText} to ${method} ${path} without an error body.`,
    "Check that the URL points at a Yadokari server ('yk login --url URL --token TOKEN' or YADOKARI_URL).",
    { status: res.status },
  );
}

async function readJson(res: Response, method: string, path: string): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliError(
      "bad_response",
      `The server answered ${method} ${path} with something that is not JSON.`,
      "Check that the URL points at a Yadokari server ('yk login --url URL --token TOKEN' or YADOKARI_URL).",
      { status: res.status, cause: e },
    );
  }
}
