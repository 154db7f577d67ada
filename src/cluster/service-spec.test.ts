import { test } from "node:test";
import assert from "node:assert/strict";
import {
  ADMITTED_CONSTRAINT,
  OVERLAY_NETWORK,
  serviceName,
  serviceSpec,
  type ServiceSpecInput,
} from "./service-spec.js";
import { DEFAULT_PLACEMENT, parseFormationPlacement, parsePlacement } from "./placement.js";
import { DEFAULT_HEALTHCHECK } from "../manifest/app-json.js";
import { EMPTY_MANIFEST, type Release } from "../domain/types.js";
import { AppError } from "../errors/app-error.js";

const release: Release = {
  id: 7,
  app: "shop",
  version: 4,
  image: "yadokari/shop:abc1234",
  commit: "abc1234",
  description: "Deploy abc1234",
  processes: { web: null, worker: "node worker.js", agent: "node agent.js" },
  config: { DATABASE_URL: "postgres://db/shop" },
  healthcheck: DEFAULT_HEALTHCHECK,
  formation: { web: 3 },
  manifest: EMPTY_MANIFEST,
  createdBy: "admin",
  createdAt: "2026-01-01T00:00:00Z",
};

const input = (over: Partial<ServiceSpecInput> = {}): ServiceSpecInput => ({
  release,
  process: "web",
  replicas: 3,
  placement: DEFAULT_PLACEMENT,
  instance: "i1",
  image: "10.0.0.1:5443/yadokari/shop:abc1234",
  port: 5000,
  stopTimeoutSec: 10,
  ...over,
});

test("a web service: DNS round robin, the port published in host mode per task, no virtual IP", () => {
  const s = serviceSpec(input());
  assert.equal(s.Name, "yk-shop-web-v4");
  assert.deepEqual(s.EndpointSpec, {
    Mode: "dnsrr",
    Ports: [{ Protocol: "tcp", TargetPort: 5000, PublishMode: "host" }],
  });
  assert.deepEqual(s.Mode, { Replicated: { Replicas: 3 } });
  const c = s.TaskTemplate.ContainerSpec;
  assert.equal(c.Image, "10.0.0.1:5443/yadokari/shop:abc1234");
  assert.equal(c.Args, undefined, "no Procfile command: the image's own CMD");
  assert.equal(c.Init, true);
  assert.equal(c.StopGracePeriod, 10_000_000_000);
  assert.ok(c.Env.includes("DATABASE_URL=postgres://db/shop"));
  assert.ok(c.Env.includes("PORT=5000"));
  assert.ok(c.Env.includes("YADOKARI_RELEASE=v4"));
  // The same labels as a local container, on the service and on its containers.
  for (const labels of [s.Labels, c.Labels])
    assert.deepEqual(labels, {
      "yadokari.managed": "true",
      "yadokari.app": "shop",
      "yadokari.release": "v4",
      "yadokari.process": "web",
      "yadokari.kind": "web",
      "yadokari.instance": "i1",
    });
  assert.deepEqual(s.TaskTemplate.Placement, { Constraints: [ADMITTED_CONSTRAINT], Preferences: [] });
  assert.deepEqual(s.TaskTemplate.Networks, [{ Target: OVERLAY_NETWORK }]);
  assert.equal(s.TaskTemplate.RestartPolicy.Condition, "any");
  assert.equal(s.UpdateConfig.Order, "start-first");
  assert.equal(s.TaskTemplate.Resources, undefined);
});

test("a worker runs its Procfile command through sh (as Args, keeping the image's ENTRYPOINT) and publishes nothing", () => {
  const s = serviceSpec(
    input({
      process: "worker",
      replicas: 2,
      resources: { memoryBytes: 256 * 1024 * 1024, nanoCpus: 500_000_000 },
      mounts: [
        { hostPath: "/srv/data", containerPath: "/data" },
        { hostPath: "shop-cache", containerPath: "/cache" },
      ],
      placement: { mode: "replicated", constraints: ["node.labels.zone==a"], spread: ["node.labels.rack"] },
    }),
  );
  assert.equal(s.Name, "yk-shop-worker-v4");
  assert.deepEqual(s.TaskTemplate.ContainerSpec.Args, ["/bin/sh", "-c", "node worker.js"]);
  assert.deepEqual(s.EndpointSpec, { Mode: "dnsrr" });
  assert.deepEqual(s.TaskTemplate.Resources, { Limits: { MemoryBytes: 268435456, NanoCPUs: 500000000 } });
  assert.deepEqual(s.TaskTemplate.ContainerSpec.Mounts, [
    { Type: "bind", Source: "/srv/data", Target: "/data" },
    { Type: "volume", Source: "shop-cache", Target: "/cache" },
  ]);
  assert.deepEqual(s.TaskTemplate.Placement, {
    Constraints: [ADMITTED_CONSTRAINT, "node.labels.zone==a"],
    Preferences: [{ Spread: { SpreadDescriptor: "node.labels.rack" } }],
  });
});

test("a global process type runs one task per node, whatever the replica count", () => {
  const s = serviceSpec(input({ process: "agent", replicas: 5, placement: { ...DEFAULT_PLACEMENT, mode: "global" } }));
  assert.deepEqual(s.Mode, { Global: {} });
  assert.equal(serviceSpec(input({ admittedOnly: false })).TaskTemplate.Placement.Constraints.length, 0);
});

test("service names stay DNS labels of at most 63 characters", () => {
  assert.equal(serviceName("a", "web", 12), "yk-a-web-v12");
  const long = serviceName("a-thirty-character-app-name-xx", "a_very_long_process_type_name_that_goes_on", 1234);
  assert.ok(long.length <= 63 && /^[a-z0-9-]+$/.test(long), long);
  assert.notEqual(
    long,
    serviceName("a-thirty-character-app-name-xx", "another_very_long_process_type_name_here", 1234),
  );
});

test("app.json formation carries mode, constraints and spread per process type, with paths in errors", () => {
  assert.deepEqual(
    parseFormationPlacement({
      web: { quantity: 3, constraints: ["node.labels.zone == a"] },
      agent: { mode: "global" },
      worker: { quantity: 1 },
    }),
    {
      web: { mode: "replicated", constraints: ["node.labels.zone==a"], spread: [] },
      agent: { mode: "global", constraints: [], spread: [] },
      worker: { mode: "replicated", constraints: [], spread: [] },
    },
  );
  const refused = (entry: unknown, pattern: RegExp) =>
    assert.throws(
      () => parsePlacement(entry, "formation.web"),
      (e: unknown) => e instanceof AppError && e.code === "invalid_manifest" && pattern.test(e.message),
    );
  refused({ mode: "daemon" }, /formation\.web\.mode: must be "replicated" or "global"/);
  refused({ constraints: ["node.label.zone==a"] }, /formation\.web\.constraints: invalid placement constraint/);
  refused({ spread: "node.labels.zone" }, /formation\.web\.spread: must be a list/);
  refused({ mode: "global", quantity: 2 }, /global process type runs one unit per node/);
});
