import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { TestServer, ROOT, uniqueApp, docker } from "../helpers/yadokari.js";
import { packTarGz } from "../../src/cli/pack.js";
import { run } from "../../src/lib/run.js";
import { waitFor } from "../helpers/http.js";

/**
 * The tenants of a security test: a real server with two apps, A and B, and
 * people who hold rights on one of them only. Every attack in test/security
 * is made by the deployer of A against B (or the host), through the public
 * API or the CLI, exactly as a tenant could.
 */
export interface Tenants {
  s: TestServer;
  /** the attacker's app and the victim's */
  a: string;
  b: string;
  /** personal API tokens: deployer of A only, deployer of B only, viewer of A */
  tokens: { deployerA: string; deployerB: string; viewerA: string };
  password: string;
}

export const CLI = join(ROOT, "dist/src/main/cli.js");

export async function startTenants(prefix: string, env: Record<string, string> = {}): Promise<Tenants> {
  const s = await TestServer.start({ env });
  const a = uniqueApp(`${prefix}-a`);
  const b = uniqueApp(`${prefix}-b`);
  try {
    await s.createApp(a);
    await s.createApp(b);
    const password = `pw-${randomBytes(9).toString("base64url")}`;
    const tokens: Record<string, string> = {};
    for (const [name, email, role, app] of [
      ["deployerA", `dep-a@${prefix}.test`, "deployer", a],
      ["deployerB", `dep-b@${prefix}.test`, "deployer", b],
      ["viewerA", `view-a@${prefix}.test`, "viewer", a],
    ] as const) {
      const u = await s.api("POST", "/users", { email, role, apps: [app], password });
      if (u.status !== 201) throw new Error(`user ${email}: ${u.status} ${JSON.stringify(u.body)}`);
      tokens[name] = await loginToken(s, email, password);
    }
    return { s, a, b, tokens: tokens as Tenants["tokens"], password };
  } catch (e) {
    await s.close();
    throw e;
  }
}

export async function loginToken(s: TestServer, email: string, password: string): Promise<string> {
  const r = await call(s, null, "POST", "/api/v1/session", { email, password, token: "security-test" });
  if (r.status !== 201) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}

export interface Answer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

/** One request to the server as `token` (null: no token). `body` is JSON unless it is a Uint8Array. */
export async function call(
  s: TestServer,
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const h: Record<string, string> = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  let payload: BodyInit | undefined;
  if (body instanceof Uint8Array) {
    payload = new Uint8Array(body) as unknown as BodyInit;
    h["content-type"] ??= "application/gzip";
  } else if (body !== undefined) {
    payload = typeof body === "string" ? body : JSON.stringify(body);
    h["content-type"] ??= "application/json";
  }
  const r = await fetch(`${s.url}${path}`, { method, headers: h, body: payload });
  const text = await r.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* a text body */
  }
  return { status: r.status, body: parsed, text, headers: r.headers };
}

/** The `yk` CLI as the holder of `token`. */
export const yk = (s: TestServer, token: string, args: string[], input?: string) =>
  run(process.execPath, [CLI, ...args], {
    env: { ...process.env, YADOKARI_URL: s.url, YADOKARI_TOKEN: token, YADOKARI_CONFIG: join(s.dataDir, "cli.json") },
    input,
    timeoutMs: 120_000,
  });

/** A temporary source directory with these files (path → content). */
export function sourceDir(files: Record<string, string>): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "yk-sec-src-"));
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), content);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Uploads a source directory as a build of `app` with `token`; the answer of POST …/builds. */
export async function uploadDir(s: TestServer, token: string, app: string, dir: string): Promise<Answer> {
  const { data } = await packTarGz(dir);
  return call(s, token, "POST", `/api/v1/apps/${app}/builds`, new Uint8Array(data));
}

/** Uploads raw bytes (a tar or tar.gz we made by hand) as a build of `app`. */
export const uploadBytes = (s: TestServer, token: string, app: string, bytes: Uint8Array) =>
  call(s, token, "POST", `/api/v1/apps/${app}/builds`, bytes);

/** Waits for a deploy to end, as `token`. */
export async function waitDeploy(s: TestServer, token: string, app: string, id: number, ms = 180_000): Promise<any> {
  return waitFor(
    `deploy #${id} of ${app}`,
    async () => {
      const d = (await call(s, token, "GET", `/api/v1/apps/${app}/deploys/${id}`)).body;
      return d.status === "succeeded" || d.status === "failed" ? d : null;
    },
    ms,
    200,
  );
}

export async function deployLog(s: TestServer, token: string, app: string, id: number): Promise<string> {
  return (await call(s, token, "GET", `/api/v1/apps/${app}/deploys/${id}/log`)).text;
}

/** A refusal: a 4xx with an error code and a message that says what is wrong. */
export function refusal(r: Answer): { code: string; message: string } | null {
  if (r.status < 400 || r.status >= 500) return null;
  const e = r.body?.error;
  if (!e || typeof e.code !== "string" || typeof e.message !== "string" || e.message.length < 10) return null;
  return { code: e.code, message: e.message };
}

/**
 * A well-formed request refused by a rule: 422 with the rule's own code (the API's convention: a malformed
 * one is 400 invalid_request), and a message that says what is wrong.
 */
export function ruleBroken(r: Answer, code: string): { code: string; message: string } | null {
  const why = refusal(r);
  return why && r.status === 422 && why.code === code ? why : null;
}

/** The server's instance id, as stamped on the containers it made. */
export async function instanceOf(app: string): Promise<string | null> {
  const [c] = await docker.listContainers({ all: true, filters: { label: [`yadokari.app=${app}`] } });
  return c?.Labels["yadokari.instance"] ?? null;
}

export { TestServer, uniqueApp, docker, waitFor, ROOT };
