import { z } from "@hono/zod-openapi";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { join } from "node:path";
import { access } from "../../accounts/policy.js";
import { isBlank, plainLine } from "../../lib/terminal-text.js";
import { principalOf } from "../../accounts/principal.js";
import { AppError } from "../../errors/app-error.js";
import { saveUpload } from "../../build/upload.js";
import { checkSource } from "../../build/source-check.js";
import { rmSync } from "node:fs";
import { parseStrategy } from "../../canary/settings.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices } from "../services.js";
import { defineRoute } from "../route.js";
import { json, textStream as textDoc } from "../schemas/common.js";
import { AppName, CommitSha, Follow, PageLimit, RowId } from "../schemas/ids.js";
import { DeployView } from "../schemas/apps.js";
import { textStream } from "../text-stream.js";
import { deployView } from "../views.js";
import { tooLarge } from "../body-limit.js";

const AppParams = z.strictObject({ app: AppName });
const DeployParams = z.strictObject({ app: AppName, id: RowId });
const Ref = z
  .string()
  .regex(/^refs\/heads\/[A-Za-z0-9._/-]{1,200}$/, { error: "expected refs/heads/<branch>" })
  .refine((r) => !r.includes(".."), { error: "expected refs/heads/<branch> without '..'" });

const build = defineRoute({
  method: "post",
  path: "/api/v1/apps/{app}/builds",
  summary: "Upload source (a tar or tar.gz with a Dockerfile) to build and deploy",
  description:
    "The body is streamed to disk as it arrives, up to the server's YADOKARI_MAX_UPLOAD_BYTES (413 past it), then read once as it expands: more than YADOKARI_BUILD_MAX_CONTEXT_BYTES or YADOKARI_BUILD_MAX_ENTRIES, an absolute path, '..', a link out of the archive or a special file is 422 invalid_context, a Dockerfile line a tenant may not write (a yadokari.* LABEL, ADD of a URL, FROM another app's image or an unapproved base) 422 dockerfile_refused; nothing is recorded then. The deploy runs in the app's queue: follow it with GET …/deploys/{id}/log?follow=1.",
  access: access.app("deployer"),
  bodyLimit: "stream",
  request: {
    params: AppParams,
    query: z.strictObject({
      commit: CommitSha.optional().openapi({ description: "the git commit the source is (recorded on the release)" }),
      ref: Ref.optional().openapi({ description: "the ref it came from: refs/heads/<branch>" }),
      strategy: z.enum(["rolling", "canary", "blue-green"]).optional().openapi({
        description: "this deploy's strategy, over the app's deploy settings",
      }),
    }),
    body: {
      required: true,
      content: {
        "application/x-tar": { schema: z.string().openapi({ format: "binary" }) },
        "application/gzip": { schema: z.string().openapi({ format: "binary" }) },
      },
    },
  },
  responses: { 202: json(DeployView, "Accepted: the deploy is queued") },
  errors: [409, 413],
});

const listDeploys = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/deploys",
  summary: "List deploys, newest first; `before` (a deploy id) pages back",
  access: access.app("viewer"),
  request: {
    params: AppParams,
    query: z.strictObject({
      limit: PageLimit(100, 50),
      before: RowId.optional().openapi({ description: "only deploys older than this deploy id" }),
    }),
  },
  responses: { 200: json(z.array(DeployView)) },
});

const showDeploy = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/deploys/{id}",
  summary: "Show a deploy with its steps",
  access: access.app("viewer"),
  request: { params: DeployParams },
  responses: { 200: json(DeployView) },
});

const deployLog = defineRoute({
  method: "get",
  path: "/api/v1/apps/{app}/deploys/{id}/log",
  summary: "A deploy's log; with follow=1 it streams until the deploy ends",
  access: access.app("viewer"),
  request: { params: DeployParams, query: z.strictObject({ follow: Follow }) },
  responses: { 200: textDoc("the log's lines") },
});

export function registerDeploys(r: ApiRouter, s: ApiServices): void {
  r.openapi(build, async (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    const { commit = null, ref = null, strategy: strategyText } = c.req.valid("query");
    const strategy = strategyText === undefined ? undefined : parseStrategy(strategyText, "strategy");
    const body = c.req.raw.body;
    if (!body)
      throw new AppError("invalid_request", "the build body is empty: send a tar or tar.gz of the app's source");
    const declared = c.req.header("content-length");
    if (declared !== undefined && Number(declared) > s.maxUploadBytes)
      throw tooLarge(s.maxUploadBytes, "the build context");
    const upload = await saveUpload(
      Readable.fromWeb(body as NodeReadableStream),
      join(s.ctx.dataDir, "uploads"),
      s.maxUploadBytes,
    );
    // The source is checked as it expands (size, entries, paths, links, the Dockerfile's rules) before
    // anything is recorded or reaches Docker: a refusal is this request's 4xx, and the upload is removed.
    await checkSource(upload, app.name, s.ctx.build).catch((e: unknown) => {
      rmSync(upload.path, { force: true });
      throw e;
    });
    const { deploy } = s.deployer.submitBuild(
      app.name,
      upload,
      { source: commit ? "git" : "tar", commit, ref },
      principalOf(c).name,
      strategy,
    );
    return c.json(deployView(s.views, deploy), 202);
  });

  r.openapi(listDeploys, (c) => {
    const app = s.apps.get(c.req.valid("param").app);
    const { limit = 50, before } = c.req.valid("query");
    const page =
      before === undefined
        ? s.ctx.store.listDeploys(app.name, limit)
        : s.ctx.store.listDeploysBefore(app.name, before, limit);
    return c.json(
      page.map((d) => deployView(s.views, d)),
      200,
    );
  });

  const findDeploy = (appName: string, id: number) => {
    const app = s.apps.get(appName);
    const d = s.ctx.store.getDeploy(id);
    if (!d || d.app !== app.name)
      throw new AppError(
        "not_found",
        `no deploy #${id} for app ${app.name}`,
        `'yk apps:info -a ${app.name}' shows the app.`,
      );
    return d;
  };

  r.openapi(showDeploy, (c) => {
    const { app, id } = c.req.valid("param");
    return c.json(deployView(s.views, findDeploy(app, id)), 200);
  });

  r.openapi(deployLog, (c) => {
    const { app, id } = c.req.valid("param");
    const d = findDeploy(app, id);
    const follow = c.req.valid("query").follow;
    const finished = () => {
      const now = s.ctx.store.getDeploy(d.id);
      return !now || now.status === "succeeded" || now.status === "failed" || now.status === "superseded";
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
}
