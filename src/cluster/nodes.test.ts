import { test } from "node:test";
import assert from "node:assert/strict";
import { nodeViews, parseNodeLabels, resolveNode, type EngineNode } from "./nodes.js";
import { joinInstructions, renderJoinInstructions } from "./join-command.js";
import { interpretProbe, PROBE_BYTES } from "./admission.js";
import { AppError } from "../errors/app-error.js";

const node = (id: string, over: Partial<EngineNode> = {}): EngineNode => ({
  ID: id,
  Spec: { Role: "worker", Availability: "active", Labels: {} },
  Description: {
    Hostname: "box",
    Platform: { OS: "linux", Architecture: "x86_64" },
    Resources: { NanoCPUs: 2e9, MemoryBytes: 4 * 2 ** 30 },
    Engine: { EngineVersion: "20.10.24" },
  },
  Status: { State: "ready", Addr: "10.0.0.12" },
  ...over,
});

const task = (nodeId: string, app: string, state = "running", instance = "i1") => ({
  NodeID: nodeId,
  Status: { State: state },
  Spec: { ContainerSpec: { Labels: { "yadokari.app": app, "yadokari.instance": instance } } },
});

test("nodes: managers first, the manager's address from its ManagerStatus, running units per app of this server", () => {
  const views = nodeViews(
    [
      node("w1", { Spec: { Role: "worker", Availability: "drain", Labels: { zone: "b" } } }),
      node("m1", {
        Spec: { Role: "manager", Availability: "active", Labels: { "yadokari.admitted": "true" } },
        Status: { State: "ready", Addr: "0.0.0.0" },
        ManagerStatus: { Leader: true, Addr: "10.0.0.11:2377" },
      }),
    ],
    [
      task("w1", "shop"),
      task("w1", "shop"),
      task("w1", "blog", "starting"), // not running yet
      task("m1", "shop"),
      task("m1", "theirs", "running", "other-server"),
    ],
    "i1",
  );
  assert.deepEqual(
    views.map((v) => [v.id, v.role, v.address, v.leader, v.admitted, v.availability, v.units]),
    [
      ["m1", "manager", "10.0.0.11", true, true, "active", { shop: 1 }],
      ["w1", "worker", "10.0.0.12", false, false, "drain", { shop: 2 }],
    ],
  );
  assert.equal(views[1].cpus, 2);
  assert.equal(views[1].memoryBytes, 4 * 2 ** 30);
  assert.deepEqual(views[1].labels, { zone: "b" });
});

test("a node is named by id, unique id prefix or unique hostname", () => {
  const nodes = [
    node("abc123", { Description: { Hostname: "web-1" } }),
    node("abd456", { Description: { Hostname: "web-2" } }),
  ];
  assert.equal(resolveNode(nodes, "abc123").ID, "abc123");
  assert.equal(resolveNode(nodes, "abd").ID, "abd456");
  assert.equal(resolveNode(nodes, "web-1").ID, "abc123");
  assert.throws(
    () => resolveNode(nodes, "ab"),
    (e: unknown) => e instanceof AppError && e.code === "not_found",
  );
  assert.throws(
    () => resolveNode(nodes, "ab0"),
    (e: unknown) => e instanceof AppError && e.code === "not_found",
  );
  const same = [node("x1"), node("x2")]; // nodes on one machine share a hostname
  assert.throws(() => resolveNode(same, "box"), /names 2 nodes/);
});

test("node labels: key=value to set, key- to remove, yadokari.* reserved", () => {
  assert.deepEqual(parseNodeLabels(["zone=a", "disk=ssd", "old-"]), {
    set: { zone: "a", disk: "ssd" },
    remove: ["old"],
  });
  assert.deepEqual(parseNodeLabels(["empty="]), { set: { empty: "" }, remove: [] });
  for (const bad of [[], ["zone"], ["=a"], ["zone=a b"], ['zone="a"'], ["yadokari.admitted=true"], ["k y=v"], "zone=a"])
    assert.throws(
      () => parseNodeLabels(bad),
      (e: unknown) => e instanceof AppError && e.code === "invalid_label",
      JSON.stringify(bad),
    );
});

test("join-command: the exact docker swarm join, the ports, and the registry CA to trust", () => {
  const token = "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx";
  const j = joinInstructions({
    role: "worker",
    token,
    managerAddr: "10.0.0.11:2377",
    registry: { host: "10.0.0.11:5443", caPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" },
  });
  assert.equal(j.command, `docker swarm join --token ${token} 10.0.0.11:2377`);
  assert.deepEqual(
    j.ports.map((p) => p.port),
    ["2377/tcp", "7946/tcp", "7946/udp", "4789/udp"],
  );
  assert.equal(j.registry?.caPath, "/etc/docker/certs.d/10.0.0.11:5443/ca.crt");
  const text = renderJoinInstructions(j);
  assert.match(text, /mkdir -p \/etc\/docker\/certs\.d\/10\.0\.0\.11:5443\n/);
  assert.match(
    text,
    /cat > \/etc\/docker\/certs\.d\/10\.0\.0\.11:5443\/ca\.crt <<'YADOKARI_CA'\n {2}-----BEGIN CERTIFICATE-----\n {2}MIIB\n {2}-----END CERTIFICATE-----\n {2}YADOKARI_CA\n/,
  );
  assert.match(text, /^ {2}docker swarm join --token SWMTKN-1-\S+ 10\.0\.0\.11:2377$/m);
  assert.match(text, /4789\/udp\s+overlay network traffic/);
  assert.doesNotMatch(renderJoinInstructions({ ...j, registry: null }), /certs\.d/);
  assert.throws(() => joinInstructions({ role: "worker", token: "x; rm -rf /", managerAddr: "10.0.0.11:2377" }));
  assert.throws(() => joinInstructions({ role: "worker", token, managerAddr: "10.0.0.11:2377; reboot" }));
});

test("admission: which of overlay traffic, a full-size packet and a 1 MiB transfer failed, in words", () => {
  assert.deepEqual(interpretProbe(`SMALL_OK\nBIG_OK\nBYTES ${PROBE_BYTES}\n`, "n2"), { ok: true });
  const none = interpretProbe("BYTES 0\n", "n2");
  assert.ok(!none.ok && /no overlay traffic reaches node n2: open 4789\/udp/.test(none.reason));
  const mtu = interpretProbe("SMALL_OK\nBYTES 0\n", "n2");
  assert.ok(!mtu.ok && /full-size one \(1450 bytes\).*MTU/.test(mtu.reason));
  const short = interpretProbe("SMALL_OK\nBIG_OK\nBYTES 65536\n", "n2");
  assert.ok(!short.ok && /1 MiB transfer \(65536 bytes arrived\)/.test(short.reason));
});
