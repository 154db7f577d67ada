import { z } from "@hono/zod-openapi";
import { access } from "../../accounts/policy.js";
import { AppError } from "../../errors/app-error.js";
import type { Cluster } from "../../cluster/cluster.js";
import type { ApiRouter } from "../app.js";
import type { ApiServices, ClusterServices } from "../services.js";
import { defineRoute } from "../route.js";
import { json, jsonBody } from "../schemas/common.js";
import {
  JoinInstructionsView,
  NodeLabels,
  NodeRef,
  NodeView,
  RegistryChange,
  RegistryView,
} from "../schemas/cluster.js";

const NodeParams = z.strictObject({ node: NodeRef });
/** What the engine answers for: not_a_swarm (409) when DOCKER_HOST's engine is no swarm manager, 503 when it is down. */
const ENGINE = "Answers 409 not_a_swarm when the engine DOCKER_HOST names is not a swarm manager.";

const listNodes = defineRoute({
  method: "get",
  path: "/api/v1/cluster/nodes",
  summary: "The swarm's nodes, with this server's running units per app on each",
  description: ENGINE,
  access: access.admin(),
  responses: { 200: json(z.array(NodeView)) },
  errors: [409, 503],
});

const showNode = defineRoute({
  method: "get",
  path: "/api/v1/cluster/nodes/{node}",
  summary: "One node",
  description: ENGINE,
  access: access.admin(),
  request: { params: NodeParams },
  responses: { 200: json(NodeView) },
  errors: [404, 409, 503],
});

const labelNode = defineRoute({
  method: "patch",
  path: "/api/v1/cluster/nodes/{node}/labels",
  summary: "Set (key=value) or remove (key-) node labels",
  description: ENGINE,
  access: access.admin(),
  request: { params: NodeParams, body: jsonBody(NodeLabels) },
  responses: { 200: json(NodeView) },
  errors: [404, 409, 422, 503],
});

const nodeAction = (verb: "drain" | "activate" | "admit", summary: string, errors: number[]) =>
  defineRoute({
    method: "post",
    path: `/api/v1/cluster/nodes/{node}/${verb}`,
    summary,
    description: ENGINE,
    access: access.admin(),
    request: { params: NodeParams },
    responses: { 200: json(NodeView) },
    errors,
  });

const removeNode = defineRoute({
  method: "delete",
  path: "/api/v1/cluster/nodes/{node}",
  summary: "Remove a node that is down (force: any worker); a manager must be demoted first (409 node_not_down)",
  description: ENGINE,
  access: access.admin(),
  request: {
    params: NodeParams,
    query: z.strictObject({
      force: z.enum(["true", "false"]).optional().openapi({ description: "remove a worker that is not down" }),
    }),
  },
  responses: { 200: json(z.strictObject({ removed: z.string().openapi({ description: "the node's id" }) })) },
  errors: [404, 409, 503],
});

const joinCommand = defineRoute({
  method: "get",
  path: "/api/v1/cluster/join-command",
  summary: "The command a new host runs to join, the ports to open, and the registry CA to trust",
  description: ENGINE,
  access: access.admin(),
  request: { query: z.strictObject({ role: z.enum(["worker", "manager"]).optional() }) },
  responses: { 200: json(JoinInstructionsView) },
  errors: [409, 503],
});

const showRegistry = defineRoute({
  method: "get",
  path: "/api/v1/cluster/registry",
  summary: "The team's own registry, if set (never its password)",
  access: access.admin(),
  responses: { 200: json(RegistryView) },
});

const setRegistry = defineRoute({
  method: "put",
  path: "/api/v1/cluster/registry",
  summary: "Push and pull app images through a team's own registry (https), credentials stored encrypted",
  access: access.admin(),
  request: { body: jsonBody(RegistryChange) },
  responses: { 200: json(RegistryView) },
  errors: [422],
});

const unsetRegistry = defineRoute({
  method: "delete",
  path: "/api/v1/cluster/registry",
  summary: "Back to Yadokari's own registry",
  access: access.admin(),
  responses: { 200: json(RegistryView) },
});

const need = (s: ClusterServices): Cluster => {
  if (!s.cluster) throw new AppError("not_a_swarm", "this server has no swarm engine");
  return s.cluster;
};

/** /api/v1/cluster: the swarm's nodes and the registry setting, admins only. */
export function registerCluster(r: ApiRouter, s: ApiServices): void {
  const cl = () => need(s.cluster);
  r.openapi(listNodes, async (c) => c.json(await cl().nodes(), 200));
  r.openapi(showNode, async (c) => c.json(await cl().node(c.req.valid("param").node), 200));
  r.openapi(labelNode, async (c) =>
    c.json(await cl().label(c.req.valid("param").node, c.req.valid("json").labels), 200),
  );
  const drain = nodeAction("drain", "Drain a node: no new units, its units rescheduled elsewhere", [404, 409, 503]);
  r.openapi(drain, async (c) => c.json(await cl().drain(c.req.valid("param").node), 200));
  const activate = nodeAction("activate", "Let a drained or paused node take units again", [404, 409, 503]);
  r.openapi(activate, async (c) => c.json(await cl().activate(c.req.valid("param").node), 200));
  const admit = nodeAction(
    "admit",
    "Run the admission check (overlay traffic, a full-size packet, a 1 MiB transfer) and admit the node to placements",
    [404, 409, 422, 503],
  );
  r.openapi(admit, async (c) => c.json(await cl().admit(c.req.valid("param").node), 200));
  r.openapi(removeNode, async (c) =>
    c.json(await cl().remove(c.req.valid("param").node, c.req.valid("query").force === "true"), 200),
  );
  r.openapi(joinCommand, async (c) => c.json(await cl().joinCommand(c.req.valid("query").role ?? "worker"), 200));
  r.openapi(showRegistry, (c) => c.json({ registry: s.cluster.registry.view() }, 200));
  r.openapi(setRegistry, (c) => c.json({ registry: s.cluster.registry.set(c.req.valid("json")) }, 200));
  r.openapi(unsetRegistry, (c) => {
    s.cluster.registry.unset();
    return c.json({ registry: null }, 200);
  });
}
