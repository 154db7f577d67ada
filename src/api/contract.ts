/**
 * The JSON shapes of the REST API under /api/v1, shared by the server, the
 * CLI and the UI. Each is the output type of the route's own schema
 * (src/api/schemas/), so the document at /api/openapi.json, the server's
 * validation and these types are one definition. Import them as types only:
 * the CLI never loads zod.
 */
import type { z } from "@hono/zod-openapi";
import type * as A from "./schemas/apps.js";
import type * as C from "./schemas/common.js";

export type AppStatus = z.output<typeof A.AppStatus>;
export type AppView = z.output<typeof A.AppView>;
export type ReleaseView = z.output<typeof A.ReleaseView>;
export type ReleaseDetailView = z.output<typeof A.ReleaseDetailView>;
/** what started a deploy: an upload, a push, or a change that made a new release of the same image */
export type DeploySource = z.output<typeof A.DeploySource>;
export type DeployStatus = z.output<typeof A.DeployStatus>;
export type DeployStepView = z.output<typeof A.DeployStepView>;
export type DeployView = z.output<typeof A.DeployView>;
export type ContainerView = z.output<typeof A.ContainerView>;
/** One process type of the live release, for `yk ps`. */
export type ProcessView = z.output<typeof A.ProcessView>;
export type DomainView = z.output<typeof A.DomainView>;
export type ErrorBody = z.output<typeof C.ErrorBody>;
