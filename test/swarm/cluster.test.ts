import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { SwarmCluster } from "../helpers/swarm-cluster.js";
import { serviceTasks } from "../helpers/swarm/images.js";
import { until } from "../helpers/swarm/sh.js";
import { run } from "../../src/lib/run.js";

// The test swarm itself: it comes up, the host reaches tasks published in host mode on every
// node, a node whose dockerd dies goes down and rejoins, and teardown leaves nothing behind.

async function leftovers(c: { id: string }, dir: string, pids: number[]): Promise<string[]> {
  const found: string[] = [];
  if ((await run("ip", ["netns", "list"])).stdout.includes(`ykn${c.id}-`)) found.push("namespaces");
  if ((await run("ip", ["link", "show", `ykb${c.id}`])).code === 0) found.push("bridge");
  if ((await run("iptables", ["-w", "5", "-S", "FORWARD"])).stdout.includes(`yadokari-test-swarm-${c.id}`))
    found.push("iptables rule");
  if (existsSync(dir)) found.push(dir);
  if (readFileSync("/proc/self/mountinfo", "utf8").includes(dir)) found.push("mounts");
  for (const pid of pids) if (existsSync(`/proc/${pid}`)) found.push(`pid ${pid}`);
  return found;
}

test("a 3-node swarm: up, tasks reachable from the host on every node, a dead node rejoins, torn down whole", async () => {
  const c = await SwarmCluster.create({ nodes: 3, preferOfflineImages: true, log: (m) => console.log(`# ${m}`) });
  const dir = `/tmp/yks-${c.id}`;
  const pids = c.nodes.map((n) => n.pid!);
  try {
    assert.deepEqual(
      c.nodes.map((n) => n.role),
      ["manager", "worker", "worker"],
    );
    const mgr = c.manager.docker;
    await mgr.createService({
      Name: "probe",
      TaskTemplate: {
        ContainerSpec: {
          Image: "yadokari-local/busybox:1",
          Args: ["/bin/sh", "-c", "mkdir -p /w && hostname > /w/index.html && exec httpd -f -p 5000 -h /w"],
        },
        RestartPolicy: { Condition: "any", Delay: 0 },
      },
      Mode: { Global: {} },
      EndpointSpec: { Mode: "dnsrr", Ports: [{ Protocol: "tcp", TargetPort: 5000, PublishMode: "host" }] },
    });
    const tasks = await until(
      "a task on every node",
      async () => {
        const ts = (await serviceTasks(mgr, "probe")).filter((t) => t.state === "running" && t.port);
        return ts.length === 3 ? ts : null;
      },
      30_000,
      100,
    );
    // The router's path: the host reaches <node address>:<published port> on each node.
    const answers = await Promise.all(
      tasks.map(async (t) => {
        const n = c.nodes.find((x) => x.nodeId === t.nodeId)!;
        return (await fetch(`http://${n.address}:${t.port}/`)).status;
      }),
    );
    assert.deepEqual(answers, [200, 200, 200]);

    // A worker's dockerd dies: the manager marks the node down; restarted, it rejoins and runs its task again.
    const victim = c.workers[1];
    await c.killDaemon(victim);
    const killedAt = Date.now();
    const nodeState = async () =>
      ((await mgr.listNodes()) as { ID: string; Status: { State: string } }[]).find((n) => n.ID === victim.nodeId)
        ?.Status.State;
    await until("the killed node to be down", async () => (await nodeState()) === "down", 60_000, 250);
    console.log(`# killed worker marked down after ${Date.now() - killedAt} ms`);
    await c.restartDaemon(victim);
    pids.push(victim.pid!);
    await until("the node to be ready again", async () => (await nodeState()) === "ready", 30_000, 250);
    await until(
      "its task to run again",
      async () =>
        (await serviceTasks(mgr, "probe")).some((t) => t.nodeId === victim.nodeId && t.state === "running" && t.port),
      30_000,
      250,
    );
  } finally {
    await c.destroy();
  }
  console.log(`# 3-node swarm: up ${c.timings.upMs} ms, down ${c.timings.downMs} ms`);
  assert.deepEqual(await leftovers(c, dir, pids), []);
});

test("a create that fails half-way tears down what it made", async () => {
  const lines: string[] = [];
  await assert.rejects(
    SwarmCluster.create({
      nodes: 2,
      images: ["yadokari-local/no-such-image:1"],
      log: (m) => lines.push(m),
    }),
    /does not exist|no such image/i,
  );
  // this swarm's own names only: other runs on the machine may have test swarms up right now
  const id = lines.map((l) => /^swarm ([0-9a-f]{4}) down/.exec(l)?.[1]).find(Boolean);
  assert.ok(id, `the teardown ran: ${lines.join("; ")}`);
  const stale = (await run("ip", ["netns", "list"])).stdout;
  assert.doesNotMatch(stale, new RegExp(`ykn${id}-`), "no namespace of this swarm is left");
  const links = (await run("ip", ["-o", "link", "show"])).stdout;
  assert.doesNotMatch(links, new RegExp(`ykb${id}|ykv${id}`), "no bridge or veth of this swarm is left");
});
