import { Hono } from "hono";
import { Readable } from "node:stream";
import { join } from "node:path";
import { AppError } from "../../errors/app-error.js";
import type { ApiServices } from "../services.js";
import { deployView } from "../views.js";
import { saveUpload } from "../../build/upload.js";
import { textStream } from "../text-stream.js";
import { isBlank, plainLine } from "../../lib/terminal-text.js";
import { principalOf } from "../../accounts/principal.js";
import { parseStrategy } from "../../canary/settings.js";

const SHA = /^[0-9a-f]{40}$/;
const REF = /^refs\/heads\/[A-Za-z0-9._\/-]{1,200}$/;

export function deployRoutes(s: ApiServices): Hono {
  const r = new Hono();

  r.post("/:app/builds", async (c) => {
    const app = s.apps.get(c.req.param("app"));
    const commit = c.req.query("commit") ?? null;
    const ref = c.req.query("ref") ?? null;
    if (commit !== null && !SHA.test(commit))
      throw new AppError("invalid_request", "commit must be a full 40-character lowercase hex SHA-1");
    if (ref !== null && (!REF.test(ref) || ref.includes("..")))
      throw new AppError("invalid_request", "ref must look like refs/heads/<branch>");
    const strategyText = c.req.query("strategy");
    const strategy = strategyText === undefined ? undefined : parseStrategy(strategyText, "strategy");
    if (!c.req.raw.body)
      throw new AppError("invalid_request", "the build body is empty: send a tar or tar.gz of the app's source");
    const upload = await saveUpload(
      Readable.fromWeb(c.req.raw.body as import("node:stream/web").ReadableStream),
      join(s.ctx.dataDir, "uploads"),
    );
    const { deploy } = s.deployer.submit(
      app.name,
      upload,
      { source: commit ? "git" : "tar", commit, ref },
      principalOf(c).name,
      strategy,
    );
    return c.json(deployView(s.views, deploy), 202);
  });

  r.get("/:app/deploys", (c) => {
    const app = s.apps.get(c.req.param("app"));
    const limit = Number(c.req.query("limit") ?? 50);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100)
      throw new AppError("invalid_request", "limit must be a whole number from 1 to 100");
    const beforeText = c.req.query("before");
    const before = beforeText === undefined ? null : Number(beforeText);
    if (before !== null && (!Number.isSafeInteger(before) || before < 1))
      throw new AppError("invalid_request", "before must be a deploy id (a whole number from 1)");
    const page =
      before === null
        ? s.ctx.store.listDeploys(app.name, limit)
        : s.ctx.store.listDeploysBefore(app.name, before, limit);
    return c.json(page.map((d) => deployView(s.views, d)));
  });

  const findDeploy = (appName: string, idText: string) => {
    const app = s.apps.get(appName);
    const id = Number(idText);
    const d = Number.isInteger(id) ? s.ctx.store.getDeploy(id) : null;
    if (!d || d.app !== app.name)
      throw new AppError(
        "not_found",
        `no deploy #${idText} for app ${app.name}`,
        `'yk apps:info -a ${app.name}' shows the app.`,
      );
    return d;
  };

  r.get("/:app/deploys/:id", (c) => c.json(deployView(s.views, findDeploy(c.req.param("app"), c.req.param("id")))));

  r.get("/:app/deploys/:id/log", (c) => {
    const d = findDeploy(c.req.param("app"), c.req.param("id"));
    const follow = c.req.query("follow") === "1" || c.req.query("follow") === "true";
    const finished = () => {
      const now = s.ctx.store.getDeploy(d.id);
      return !now || now.status === "succeeded" || now.status === "failed";
    };
    // Build output is terminal output: plain text for every reader (the UI, `yk`, git's `remote:` lines), no blank lines.
    return textStream((w) =>
      s.ctx.logs.follow(
        d.id,
        () => !follow || finished(),
        (l) => void (isBlank(l) || w.line(plainLine(l))),
        w.end,
      ),
    );
  });

  return r;
}
