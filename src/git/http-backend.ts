import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError } from "../errors/app-error.js";
import { validateAppName } from "../domain/names.js";

const GIT_PATH = /^\/git\/([^/]+)\.git(\/(?:info\/refs|git-upload-pack|git-receive-pack|HEAD))$/;
const HTTP_BACKEND = "/usr/lib/git-core/git-http-backend";

export interface GitHttpDeps {
  root: string;
  /** the request's token when its principal may fetch from (push: push to) the app; else why not */
  authenticate: (
    req: IncomingMessage,
    app: string,
    push: boolean,
  ) => { token: string } | { status: 401 | 403 | 404; message: string };
  appExists: (app: string) => boolean;
  ensureRepo: (app: string) => Promise<string>;
  apiUrl: string;
}

/**
 * Git smart HTTP through `git http-backend` (CGI). The token is the Basic-auth
 * password. The hook gets the pusher's token and the app through the
 * environment, so nothing secret lands on disk.
 */
export async function handleGit(req: IncomingMessage, res: ServerResponse, deps: GitHttpDeps): Promise<void> {
  const url = new URL(req.url ?? "/", "http://x");
  const m = GIT_PATH.exec(url.pathname);
  const fail = (status: number, msg: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "text/plain", ...headers });
    res.end(msg + "\n");
  };
  if (!m) return fail(404, "not a git path: use /git/<app>.git");
  let app: string;
  try {
    app = validateAppName(m[1]);
  } catch (e) {
    return fail(422, (e as AppError).message);
  }
  const push = m[2] === "/git-receive-pack" || url.searchParams.get("service") === "git-receive-pack";
  const auth = deps.authenticate(req, app, push);
  if (!("token" in auth))
    return fail(auth.status, auth.message, auth.status === 401 ? { "www-authenticate": 'Basic realm="yadokari"' } : {});
  const token = auth.token;
  if (!deps.appExists(app)) return fail(404, `no app named ${app}: create it first with 'yk apps:create ${app}'`);
  await deps.ensureRepo(app);

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: deps.root,
    GIT_HTTP_EXPORT_ALL: "1",
    PATH_INFO: `/${app}.git${m[2]}`,
    REQUEST_METHOD: req.method ?? "GET",
    QUERY_STRING: url.search.replace(/^\?/, ""),
    CONTENT_TYPE: req.headers["content-type"] ?? "",
    REMOTE_USER: "yadokari", // enables receive-pack
    REMOTE_ADDR: req.socket.remoteAddress ?? "",
    GIT_HTTP_MAX_REQUEST_BUFFER: "100M",
    YADOKARI_HOOK_URL: deps.apiUrl,
    YADOKARI_HOOK_TOKEN: token,
    YADOKARI_HOOK_APP: app,
  };
  if (req.headers["content-encoding"]) env.HTTP_CONTENT_ENCODING = String(req.headers["content-encoding"]);
  if (req.headers["git-protocol"]) env.GIT_PROTOCOL = String(req.headers["git-protocol"]);
  if (req.headers["content-length"]) env.CONTENT_LENGTH = String(req.headers["content-length"]);

  const child = spawn(HTTP_BACKEND, [], { env, stdio: ["pipe", "pipe", "pipe"] });
  req.pipe(child.stdin);
  child.stdin.on("error", () => {});
  child.stderr.on("data", () => {}); // http-backend reports client errors here; the client sees them already
  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout.on("data", (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, end).toString("latin1").split("\r\n")) {
      const i = line.indexOf(":");
      if (i < 0) continue;
      const k = line.slice(0, i).trim();
      const v = line.slice(i + 1).trim();
      if (k.toLowerCase() === "status") status = parseInt(v, 10) || 200;
      else headers[k] = v;
    }
    res.writeHead(status, headers);
    // Progress (the hook's deploy log) must reach the client as it comes.
    res.flushHeaders();
    res.write(head.subarray(end + 4));
  });
  await new Promise<void>((resolve) => {
    child.on("close", () => {
      if (!headersDone) fail(500, "git http-backend failed");
      else res.end();
      resolve();
    });
    child.on("error", () => {
      if (!res.headersSent) fail(500, "git http-backend could not start: is git installed?");
      resolve();
    });
  });
}
