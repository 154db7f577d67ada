import { test } from "node:test";
import assert from "node:assert/strict";
import { Command } from "commander";
import { FakeApi } from "../testing/fake-api.js";
import { registerNodes, renderNodes } from "./nodes.js";
import type { NodeView } from "../../cluster/nodes.js";

async function yk(args: string[], api: FakeApi, secret = "piped-pw") {
  let out = "";
  const program = new Command("yk")
    .exitOverride()
    .configureOutput({ outputError: () => {}, writeErr: () => {}, writeOut: () => {} });
  const ctx = {
    env: {},
    api: () => api,
    saveConfig: async () => "/tmp/cli.json",
    out: (t: string) => void (out += t),
    now: () => new Date("2026-12-01T00:00:00Z"),
  };
  registerNodes(program, ctx, async () => secret);
  await program.parseAsync(args, { from: "user" });
  return out;
}

const view = (over: Partial<NodeView>): NodeView => ({
  id: "abcdef0123456789",
  hostname: "host-1",
  address: "10.0.0.11",
  role: "worker",
  state: "ready",
  availability: "active",
  leader: false,
  admitted: true,
  labels: {},
  cpus: 2,
  memoryBytes: 4 * 2 ** 30,
  os: "linux",
  arch: "x86_64",
  engineVersion: "20.10.24",
  units: {},
  ...over,
});

test("yk nodes: one row per node with labels and units per app; --json is the API's", async () => {
  const nodes = [
    view({ role: "manager", leader: true, units: { shop: 1 } }),
    view({
      id: "0987654321fedcba",
      address: "10.0.0.12",
      availability: "drain",
      admitted: false,
      labels: { zone: "a", "yadokari.admitted": "false" },
      units: { shop: 2, blog: 1 },
    }),
  ];
  const api = new FakeApi({ "GET /api/v1/cluster/nodes": nodes });
  const out = await yk(["nodes"], api);
  assert.match(
    out,
    /^ID\s+HOSTNAME\s+ADDRESS\s+ROLE\s+STATE\s+AVAILABILITY\s+ADMITTED\s+LABELS\s+CPU\s+MEMORY\s+UNITS$/m,
  );
  assert.match(
    out,
    /abcdef012345\s+host-1\s+10\.0\.0\.11\s+manager \(leader\)\s+ready\s+active\s+yes\s+-\s+2\s+4\.0 GiB\s+shop×1/,
  );
  assert.match(
    out,
    /0987654321fe\s+host-1\s+10\.0\.0\.12\s+worker\s+ready\s+drain\s+no\s+zone=a\s+2\s+4\.0 GiB\s+blog×1 shop×2/,
  );
  assert.deepEqual(JSON.parse(await yk(["nodes", "--json"], api)), nodes);
  assert.equal(renderNodes([]), "The swarm has no nodes.\n");
});

test("nodes:label, drain, activate, remove and join-command call their routes", async () => {
  const n = view({ labels: { zone: "b" }, availability: "drain" });
  const api = new FakeApi({
    'PATCH /api/v1/cluster/nodes/host-1/labels {"labels":["zone=b","old-"]}': n,
    "POST /api/v1/cluster/nodes/abc/drain": n,
    "POST /api/v1/cluster/nodes/abc/activate": { ...n, availability: "active" },
    "DELETE /api/v1/cluster/nodes/abc?force=true": { removed: "abcdef0123456789" },
    "GET /api/v1/cluster/join-command?role=manager": {
      role: "manager",
      command: "docker swarm join --token SWMTKN-1-aa-bb 10.0.0.11:2377",
      argv: [],
      managerAddr: "10.0.0.11:2377",
      ports: [{ port: "2377/tcp", why: "cluster management (to managers)" }],
      registry: null,
    },
  });
  assert.equal(await yk(["nodes:label", "host-1", "zone=b", "old-"], api), "Labels of abcdef012345: zone=b\n");
  assert.equal(await yk(["nodes:drain", "abc"], api), "abcdef012345 is drain.\n");
  assert.equal(await yk(["nodes:activate", "abc"], api), "abcdef012345 is active.\n");
  assert.equal(await yk(["nodes:remove", "abc", "--force"], api), "Removed node abcdef012345.\n");
  const join = await yk(["nodes:join-command", "--manager"], api);
  assert.match(join, /join as a manager/);
  assert.match(join, /^ {2}docker swarm join --token SWMTKN-1-aa-bb 10\.0\.0\.11:2377$/m);
});

test("cluster:registry sends the password read from stdin, never from argv", async () => {
  const view = { url: "https://reg.example.com", host: "reg.example.com", username: "ci", hasPassword: true };
  const api = new FakeApi({
    'PUT /api/v1/cluster/registry {"url":"https://reg.example.com","username":"ci","password":"piped-pw"}': {
      registry: view,
    },
    "DELETE /api/v1/cluster/registry": { registry: null },
  });
  assert.equal(
    await yk(["cluster:registry", "https://reg.example.com", "--username", "ci", "--password-stdin"], api),
    "App images go through https://reg.example.com as ci.\n",
  );
  assert.equal(await yk(["cluster:registry", "--unset"], api), "App images go through Yadokari's own registry.\n");
  await assert.rejects(yk(["cluster:registry", "https://reg.example.com", "--username", "ci"], api), /go together/);
});
