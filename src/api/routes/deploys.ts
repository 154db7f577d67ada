import { Hono } from "hono";
import { flagParam } from "../query-params.js";
import { Readable } from "node:stream";
import { join } from "node:path";
import { AppError } from "../../errors/app-error.js";
import type { ApiServices } from "../services.js";
import { deployView } from "../views.js";
import { saveUpload } from "../../build/upload.js";
import { checkSource } from "../../build/source-check.js";
import { rmSync } from "node:fs";
import { textStream } from "../text-stream.js";
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
    // Checked before anything is recorded or reaches Docker: a refusal is this request's 4xx.
    await checkSource(upload, app.name).catch((e: unknown) => {
      rmSync(upload.path, { force: true });
      throw e;
    });
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
    return c.json(s.ctx.store.listDeploys(app.name).map((d) => deployView(s.views, d)));
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
    const follow = flagParam(c.req.query("follow"), "follow");
    const finished = () => {
      const now = s.ctx.store.getDeploy(d.id);
      return !now || now.status === "succeeded" || now.status === "failed";
    };
    return textStream((w) => s.ctx.logs.follow(d.id, () => !follow || finished(), w.line, w.end));
  });

  return r;
}
