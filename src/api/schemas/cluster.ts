import { z } from "@hono/zod-openapi";
import { parseNodeLabels } from "../../cluster/nodes.js";
import { parseRegistryUrl } from "../../cluster/registry/external.js";
import { rule } from "../validation.js";

/** The swarm's nodes, the join command and a team's own registry (src/cluster). */

export const NodeRef = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/, { error: "expected a node id, an id prefix or a hostname" })
  .openapi({ description: "a node id, a unique id prefix (3+ characters) or a unique hostname", example: "x7k2p9" });

export const NodeView = z
  .strictObject({
    id: z.string(),
    hostname: z.string(),
    address: z.string(),
    role: z.enum(["manager", "worker"]),
    state: z.string().openapi({ description: "ready, down, unknown, disconnected" }),
    availability: z.string().openapi({ description: "active, pause, drain" }),
    leader: z.boolean(),
    admitted: z.boolean().openapi({ description: "passed the admission check: takes placements" }),
    labels: z.record(z.string(), z.string()),
    cpus: z.number(),
    memoryBytes: z.int(),
    os: z.string(),
    arch: z.string(),
    engineVersion: z.string(),
    units: z.record(z.string(), z.int()).openapi({ description: "running units of each app on this node" }),
  })
  .openapi("Node");

export const NodeLabels = z
  .strictObject({
    labels: rule(z.array(z.string().max(400)).max(100), parseNodeLabels).openapi({
      description: "key=value to set, key- to remove",
      example: ["zone=a", "disk-"],
    }),
  })
  .openapi("NodeLabels");

export const JoinInstructionsView = z
  .strictObject({
    role: z.enum(["worker", "manager"]),
    command: z.string().openapi({ description: "the exact command a new host runs" }),
    argv: z.array(z.string()),
    managerAddr: z.string(),
    ports: z.array(z.strictObject({ port: z.string(), why: z.string() })).openapi({
      description: "the ports the hosts of a swarm must open to each other",
    }),
    registry: z
      .strictObject({ host: z.string(), caPath: z.string(), caPem: z.string() })
      .nullable()
      .openapi({ description: "Yadokari's registry: the CA a new host's dockerd must trust" }),
  })
  .openapi("JoinInstructions");

export const RegistryView = z
  .strictObject({
    registry: z
      .strictObject({
        url: z.string(),
        host: z.string(),
        username: z.string().nullable(),
        hasPassword: z.boolean(),
      })
      .nullable()
      .openapi({ description: "null: Yadokari's own registry" }),
  })
  .openapi("RegistrySetting");

export const RegistryChange = z
  .strictObject({
    url: rule(z.string(), parseRegistryUrl).openapi({
      description: "https://host[:port][/path]",
      example: "https://registry.example.com",
    }),
    username: z
      .string()
      .regex(/^[^\s:]{1,255}$/, { error: "expected 1 to 255 characters without spaces or ':'" })
      .nullable()
      .optional(),
    password: z.string().min(1).max(4096).nullable().optional().openapi({ description: "stored sealed" }),
  })
  .openapi("RegistryChange");
