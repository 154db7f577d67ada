import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SwarmCluster } from "../helpers/swarm-cluster.js";
import { serviceTasks } from "../helpers/swarm/images.js";
import { until } from "../helpers/swarm/sh.js";
import { ROOT, TestServer } from "../helpers/yadokari.js";
import { run } from "../../src/lib/run.js";
import { Cluster } from "../../src/cluster/cluster.js";
import { ensureOverlay } from "../../src/cluster/overlay.js";
import { serviceSpec } from "../../src/cluster/service-spec.js";
import { DEFAULT_PLACEMENT } from "../../src/cluster/placement.js";
import { DEFAULT_HEALTHCHECK } from "../../src/manifest/app-json.js";
import { EMPTY_MANIFEST } from "../../src/domain/types.js";
import type { NodeView } from "../../src/cluster/nodes.js";

// The swarm's nodes through the API and the CLI, on a real 3-node swarm: list, labels,
// admission (and its failure when the overlay is blocked), spread, drain, join command.
let cluster: SwarmCluster;
let server: TestServer;
const BUSYBOX = "yadokari-local/busybox:1";

before(async () => {
  // Local images only, on every node (the registry path is covered by images.test.ts).
  cluster = await SwarmCluster.create({ nodes: 3, preferOfflineImages: true });
  await ensureOverlay(cluster.manager.docker);
  server = await TestServer.start({
    env: { DOCKER_HOST: cluster.dockerHost, YADOKARI_ADMISSION_IMAGE: BUSYBOX },
  });
});

after(async () => {
  await server?.close();
  await cluster?.destroy();
});

const yk = (...args: string[]) =>
  run(process.execPath, [join(ROOT, "dist/src/main/cli.js"), ...args], {
    env: { ...process.env, YADOKARI_URL: server.url, YADOKARI_TOKEN: server.token, YADOKARI_CONFIG: "/nonexistent" },
    timeoutMs: 90_000,
  });

test("yk nodes lists the three nodes with role, state, address and resources", async () => {
  const r = await server.api<NodeView[]>("GET", "/cluster/nodes");
  assert.equal(r.status, 200);
  // Managers first, then by hostname (the same here: one machine) and id.
  const byId = (a: string[], b: string[]) => (a[1] === b[1] ? a[0].localeCompare(b[0]) : a[1] === "manager" ? -1 : 1);
  assert.deepEqual(
    r.body.map((n) => [n.id, n.role, n.state, n.address]),
    cluster.nodes.map((n) => [n.nodeId, n.role, "ready", n.address]).sort(byId),
  );
  assert.ok(r.body.every((n) => n.cpus > 0 && n.memoryBytes > 0 && n.availability === "active"));
  const table = await yk("nodes");
  assert.equal(table.code, 0, table.stderr);
  assert.match(
    table.stdout,
    new RegExp(
      `${cluster.manager.nodeId.slice(0, 12)}\\s+\\S+\\s+${cluster.manager.address.replace(/\./g, "\\.")}\\s+manager \\(leader\\)\\s+ready\\s+active\\s+no`,
    ),
  );
});

test("nodes:join-command prints the exact docker swarm join with this swarm's token and manager", async () => {
  const swarm = (await cluster.manager.docker.swarmInspect()) as { JoinTokens: { Worker: string; Manager: string } };
  const r = await yk("nodes:join-command");
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    new RegExp(
      `docker swarm join --token ${swarm.JoinTokens.Worker} ${cluster.manager.address.replace(/\./g, "\\.")}:2377`,
    ),
  );
  assert.match(r.stdout, /7946\/udp/);
  const m = await server.api("GET", "/cluster/join-command?role=manager");
  assert.equal(m.body.argv[4], swarm.JoinTokens.Manager);
});

test("labels: set and removed by key; reserved keys and bad pairs are refused", async () => {
  const worker = cluster.workers[0];
  const r = await yk("nodes:label", worker.nodeId, "zone=a", "disk=ssd");
  assert.equal(r.code, 0, r.stderr);
  let n = (await server.api<NodeView>("GET", `/cluster/nodes/${worker.nodeId}`)).body;
  assert.deepEqual(n.labels, { zone: "a", disk: "ssd" });
  await yk("nodes:label", worker.nodeId.slice(0, 6), "disk-");
  n = (await server.api<NodeView>("GET", `/cluster/nodes/${worker.nodeId}`)).body;
  assert.deepEqual(n.labels, { zone: "a" });
  const bad = await yk("nodes:label", worker.nodeId, "yadokari.admitted=true");
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /reserved/);
  const missing = await server.api("POST", "/cluster/nodes/nosuchnode/drain");
  assert.equal(missing.status, 404);
});

test("admission: a node whose overlay traffic is blocked is refused with the ports to open; unblocked, it is admitted", async () => {
  const [a, b] = cluster.workers;
  await cluster.blockOverlay(b);
  try {
    const refused = await server.api("POST", `/cluster/nodes/${b.nodeId}/admit`);
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, "node_admission_failed");
    assert.match(refused.body.error.message, /no overlay traffic reaches node .*4789\/udp/);
  } finally {
    await cluster.unblockOverlay(b);
  }
  for (const n of [cluster.manager, a, b]) {
    const r = await yk("nodes:admit", n.nodeId);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /passed the admission check/);
  }
  const views = (await server.api<NodeView[]>("GET", "/cluster/nodes")).body;
  assert.ok(views.every((v) => v.admitted));
  // Nothing of the probes is left behind.
  const left = await cluster.manager.docker.listServices({ filters: { label: ["yadokari.kind=admission"] } });
  assert.equal(left.length, 0);
});

test("3 replicas spread over the admitted nodes; a constraint pins them; drain moves units off a node", async () => {
  const mgr = cluster.manager.docker;
  const release = {
    id: 1,
    app: "spread",
    version: 1,
    image: BUSYBOX,
    commit: null,
    description: "",
    processes: { web: "mkdir -p /w && echo ok > /w/index.html && exec httpd -f -p 5000 -h /w" },
    config: {},
    healthcheck: DEFAULT_HEALTHCHECK,
    formation: { web: 3 },
    manifest: EMPTY_MANIFEST,
    createdBy: "test",
    createdAt: new Date().toISOString(),
  };
  const instance = readInstance();
  const spec = serviceSpec({
    release,
    process: "web",
    replicas: 3,
    placement: DEFAULT_PLACEMENT,
    instance,
    image: BUSYBOX,
    port: 5000,
    stopTimeoutSec: 1,
  });
  await mgr.createService(spec);
  try {
    const tasks = await until(
      "3 running tasks",
      async () => {
        const ts = await serviceTasks(mgr, spec.Name);
        return ts.filter((t) => t.state === "running" && t.port).length === 3 ? ts : null;
      },
      30_000,
      100,
    );
    assert.ok(new Set(tasks.map((t) => t.nodeId)).size >= 2, "units on at least 2 nodes");
    for (const t of tasks) {
      const addr = cluster.nodes.find((n) => n.nodeId === t.nodeId)!.address;
      assert.equal(await (await fetch(`http://${addr}:${t.port}/`)).text(), "ok\n");
    }
    const views = (await server.api<NodeView[]>("GET", "/cluster/nodes")).body;
    assert.equal(
      views.reduce((sum, v) => sum + (v.units.spread ?? 0), 0),
      3,
    );

    // Drain the node with the most units: Swarm moves them, the node keeps none.
    const busiest = [...views].sort((x, y) => (y.units.spread ?? 0) - (x.units.spread ?? 0))[0];
    const drained = await yk("nodes:drain", busiest.id);
    assert.equal(drained.code, 0, drained.stderr);
    const after = await until(
      "the drained node's units to move",
      async () => {
        const ts = await serviceTasks(mgr, spec.Name);
        const running = ts.filter((t) => t.state === "running");
        return running.length === 3 && running.every((t) => t.nodeId !== busiest.id) ? running : null;
      },
      30_000,
      200,
    );
    assert.equal(after.length, 3);
    const refused = await server.api("DELETE", `/cluster/nodes/${busiest.id}`);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, "node_not_down");
    assert.equal((await yk("nodes:activate", busiest.id)).code, 0);

    // A constraint on the label set earlier pins every unit to that node.
    const pinned = {
      ...spec.TaskTemplate.Placement,
      Constraints: [...spec.TaskTemplate.Placement.Constraints, "node.labels.zone==a"],
    };
    const svc = mgr.getService(spec.Name);
    const inspected = (await svc.inspect()) as { Version: { Index: number }; Spec: typeof spec };
    await svc.update({
      version: inspected.Version.Index,
      ...inspected.Spec,
      TaskTemplate: { ...inspected.Spec.TaskTemplate, Placement: pinned, ForceUpdate: 1 },
    });
    const zoneA = cluster.workers[0].nodeId;
    await until(
      "every unit on the zone=a node",
      async () => {
        const running = (await serviceTasks(mgr, spec.Name)).filter((t) => t.state === "running");
        return running.length === 3 && running.every((t) => t.nodeId === zoneA);
      },
      45_000,
      200,
    );
  } finally {
    await mgr
      .getService(spec.Name)
      .remove()
      .catch(() => {});
  }
});

test("a server whose engine is not a swarm manager says so", async () => {
  const local = new Cluster(cluster.workers[0].docker, { instance: "x" });
  await assert.rejects(local.nodes(), (e: { code?: string }) => e.code === "not_a_swarm");
});

/** The server's instance id, so the units it counts are ours. */
function readInstance(): string {
  const db = new Database(join(server.dataDir, "yadokari.db"), { readonly: true });
  try {
    return (db.prepare("SELECT value FROM meta WHERE key = 'instance'").get() as { value: string }).value;
  } finally {
    db.close();
  }
}
