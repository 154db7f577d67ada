import { z } from "@hono/zod-openapi";
import { deployFields, DeployView } from "./apps.js";
import { Branch, CommitSha, Timestamp } from "./ids.js";
import { rule } from "../validation.js";
import { parseRepoUrl } from "../../gitflow/repo-url.js";
import { parseTtl } from "../../gitflow/payload.js";

/** Connected repositories, webhooks, review apps and promotion. */

export const GitInfo = z
  .strictObject({
    app: z.string(),
    repository: z
      .strictObject({
        url: z.string().openapi({ description: "the URL with its password hidden" }),
        branch: z.string(),
        connectedAt: Timestamp,
      })
      .nullable(),
    webhooks: z.strictObject({ github: z.string(), gitlab: z.string(), secretSet: z.boolean() }),
    reviewApps: z.strictObject({ enabled: z.boolean(), ttlSec: z.int() }),
    reviewOf: z.strictObject({ parent: z.string(), branch: z.string() }).nullable(),
  })
  .openapi("GitInfo");

export const GitConnect = z
  .strictObject({
    url: rule(z.string(), parseRepoUrl).openapi({
      description:
        "https://, ssh://, git:// URL, or an absolute local path (admins only, never inside the server's data dir)",
    }),
    branch: Branch.optional(),
  })
  .openapi("GitConnect");

export const GitDeploy = z
  .strictObject({ branch: Branch.optional(), commit: CommitSha.optional() })
  .openapi("GitDeploy");

export const DeliveryView = z
  .strictObject({
    id: z.int(),
    app: z.string(),
    provider: z.enum(["github", "gitlab", "api"]),
    deliveryId: z.string(),
    event: z.string(),
    accepted: z.boolean(),
    ref: z.string().nullable(),
    commit: z.string().nullable(),
    outcome: z.string(),
    targetApp: z.string().nullable(),
    deployId: z.int().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi("Delivery");

export const HookAnswer = z
  .strictObject({ delivery: z.string(), outcome: z.string(), duplicate: z.boolean().optional() })
  .openapi("HookAnswer");

export const ReviewAppView = z
  .strictObject({
    app: z.string(),
    parent: z.string(),
    branch: z.string(),
    slug: z.string(),
    url: z.string(),
    liveRelease: z.int().nullable(),
    commit: z.string().nullable(),
    lastPushAt: Timestamp,
    createdAt: Timestamp,
  })
  .openapi("ReviewApp");

export const ReviewAppsView = z
  .strictObject({ enabled: z.boolean(), ttl: z.string(), apps: z.array(ReviewAppView) })
  .openapi("ReviewApps");

export const Ttl = rule(z.string(), parseTtl).openapi({
  description: "a number and s, m, h or d (7d), at most 365d",
  example: "7d",
});

export const ReviewAppCreated = z
  .strictObject({ reviewApp: ReviewAppView, deploy: DeployView })
  .openapi("ReviewAppCreated");

export const Promotion = z
  .strictObject({
    ...deployFields,
    image: z.string().openapi({ description: "the image tagged for the target (same image id)" }),
  })
  .openapi("Promotion");
