import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SwarmCluster } from "../helpers/swarm-cluster.js";
import { buildWebImage, serviceTasks } from "../helpers/swarm/images.js";
import { until } from "../helpers/swarm/sh.js";
import { freePort } from "../helpers/ports.js";
import { YadokariRegistry } from "../../src/cluster/registry/registry-process.js";
import { distributeImage } from "../../src/cluster/registry/distribute.js";
import { serviceSpec } from "../../src/cluster/service-spec.js";
import { ensureOverlay } from "../../src/cluster/overlay.js";
import { DEFAULT_PLACEMENT } from "../../src/cluster/placement.js";
import { Keyring } from "../../src/secrets/keyring.js";
import { DEFAULT_HEALTHCHECK } from "../../src/manifest/app-json.js";
import { EMPTY_MANIFEST, type Release } from "../../src/domain/types.js";

// Images reach every node without a registry outside the machine: built on the manager,
// pushed to Yadokari's own registry (TLS, basic auth), pulled by a worker that had nothing.
let cluster: SwarmCluster;
let registry: YadokariRegistry;
let dataDir: string;

before(async () => {
  // The base image only on the manager (builds happen there): the worker must get every layer from our registry.
  cluster = await SwarmCluster.create({ nodes: 2, images: [] });
  await cluster.loadImage("yadokari-local/busybox:1", [cluster.manager]);
  await ensureOverlay(cluster.manager.docker);
  dataDir = mkdtempSync(join(tmpdir(), "yk-swarm-reg-"));
  registry = new YadokariRegistry({
    dataDir,
    address: cluster.hostAddress,
    port: await freePort(),
    keyring: Keyring.ephemeral(),
  });
  assert.equal(await registry.ensureRunning(), "started");
  cluster.trustRegistry(registry.host, registry.caPem());
});

after(async () => {
  await registry?.stop();
  await cluster?.destroy();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const release = (image: string): Release => ({
  id: 1,
  app: "regtest",
  version: 1,
  image,
  commit: "c0ffee1",
  description: "",
  processes: { web: null },
  config: {},
  healthcheck: DEFAULT_HEALTHCHECK,
  formation: { web: 1 },
  manifest: EMPTY_MANIFEST,
  createdBy: "test",
  createdAt: new Date().toISOString(),
});

test("an image built on the manager runs as a swarm task on a worker, pulled from Yadokari's own registry", async () => {
  const image = `yadokari/regtest:c0ffee1`;
  const mgr = cluster.manager.docker;
  const worker = cluster.workers[0];
  await buildWebImage(mgr, image, "hello from the manager's build\n");
  assert.equal(
    await worker.docker
      .getImage(image)
      .inspect()
      .then(
        () => true,
        () => false,
      ),
    false,
  );

  const ref = await distributeImage(mgr, image, registry.auth());
  assert.equal(ref, `${registry.host}/yadokari/regtest:c0ffee1`);

  const spec = serviceSpec({
    release: release(image),
    process: "web",
    replicas: 1,
    placement: { ...DEFAULT_PLACEMENT, constraints: [`node.id==${worker.nodeId}`] },
    instance: "swarm-test",
    image: ref,
    port: 5000,
    stopTimeoutSec: 2,
    admittedOnly: false,
  });
  await mgr.createService(registry.auth(), spec);
  const [task] = await until(
    "the task to run on the worker",
    async () => {
      const ts = await serviceTasks(mgr, spec.Name);
      const failed = ts.find((t) => t.err);
      if (failed) throw new Error(`task failed: ${failed.err}`);
      return ts.length === 1 && ts[0].state === "running" && ts[0].port ? ts : null;
    },
    30_000,
    100,
  );
  assert.equal(task.nodeId, worker.nodeId);
  // The router's path: from the host to <node address>:<published port>.
  const body = await until(
    "the task to answer",
    async () => {
      const r = await fetch(`http://${worker.address}:${task.port}/`);
      return r.ok ? r.text() : null;
    },
    10_000,
  );
  assert.equal(body, "hello from the manager's build\n");
  // The labels a local container carries are on the task's container too.
  const [c] = await worker.docker.listContainers({ filters: { label: ["yadokari.app=regtest"] } });
  assert.equal(c.Labels["yadokari.release"], "v1");
  await mgr.getService(spec.Name).remove();
});

test("the registry refuses a pull without its credentials: a service created without them never runs", async () => {
  const mgr = cluster.manager.docker;
  const worker = cluster.workers[0];
  const image = `yadokari/regtest:bad0001`;
  await buildWebImage(mgr, image, "secret\n");
  const ref = await distributeImage(mgr, image, registry.auth());
  const spec = serviceSpec({
    release: { ...release(image), app: "regtest2" },
    process: "web",
    replicas: 1,
    placement: { ...DEFAULT_PLACEMENT, constraints: [`node.id==${worker.nodeId}`] },
    instance: "swarm-test",
    image: ref,
    port: 5000,
    stopTimeoutSec: 2,
    admittedOnly: false,
  });
  await mgr.createService(spec); // no X-Registry-Auth
  const err = await until(
    "the task to fail its pull",
    async () => {
      const tasks = (await mgr.listTasks({ filters: { service: [spec.Name] } })) as {
        Status: { State: string; Err?: string };
      }[];
      return tasks.find((t) => t.Status.Err)?.Status.Err ?? null;
    },
    30_000,
    200,
  );
  assert.match(err, /No such image|no basic auth credentials|unauthorized/i);
  assert.equal(
    await worker.docker
      .getImage(ref)
      .inspect()
      .then(
        () => true,
        () => false,
      ),
    false,
  );
  await mgr.getService(spec.Name).remove();
});
