/**
 * A test swarm by hand, for experiments: `bash scripts/dev-swarm.sh up [NODES]` prints its DOCKER_HOST per node;
 * `down` tears down every dev swarm (and any test swarm whose run died); `status` lists them.
 */
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { SwarmCluster } from "../swarm-cluster.js";

const [cmd = "status", arg] = process.argv.slice(2);
const log = (m: string) => console.log(`[dev-swarm] ${m}`);

if (cmd === "up") {
  const c = await SwarmCluster.create({ nodes: Number(arg ?? 3), log, keep: true });
  for (const n of c.nodes)
    console.log(`node ${n.index} ${n.role.padEnd(7)} ${n.address}  DOCKER_HOST=unix://${n.socketPath}`);
  console.log(`host (router, registry) on the bridge: ${c.hostAddress}`);
  console.log(`export DOCKER_HOST=${c.dockerHost}`);
} else if (cmd === "down") {
  const n = await SwarmCluster.sweepStale(log, { includeKept: true });
  log(`${n} swarm(s) removed`);
} else if (cmd === "status") {
  for (const entry of readdirSync("/tmp").filter((e) => e.startsWith("yks-"))) {
    const f = `/tmp/${entry}/cluster.json`;
    if (!existsSync(f)) continue;
    const s = JSON.parse(readFileSync(f, "utf8")) as {
      id: string;
      ownerPid: number;
      keep?: boolean;
      nodes: { address: string }[];
    };
    console.log(
      `${s.id}  ${s.keep ? "dev (kept)" : `owner pid ${s.ownerPid}`}  nodes ${s.nodes.map((n) => n.address).join(" ")}`,
    );
  }
} else {
  console.error("usage: dev-swarm.sh up [NODES] | down | status");
  process.exitCode = 2;
}
