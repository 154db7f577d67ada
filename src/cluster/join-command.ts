import { AppError } from "../errors/app-error.js";
import { SWARM_PORTS } from "./nodes.js";

/** What a new host runs to join (GET /api/v1/cluster/join-command). */
export interface JoinInstructions {
  role: "worker" | "manager";
  /** the exact command, and its argv */
  command: string;
  argv: string[];
  managerAddr: string;
  ports: { port: string; why: string }[];
  /** Yadokari's registry: its CA must be trusted by the new host's dockerd (certs.d) */
  registry: { host: string; caPath: string; caPem: string } | null;
}

const TOKEN = /^SWMTKN-1-[a-z0-9]+-[a-z0-9]+$/;
const ADDR = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;

/** Pure: the swarm's token and manager address in, the instructions out. */
export function joinInstructions(input: {
  role: "worker" | "manager";
  token: string;
  managerAddr: string;
  registry?: { host: string; caPem: string } | null;
}): JoinInstructions {
  if (!TOKEN.test(input.token)) throw new AppError("internal", "the swarm's join token is not in the expected form");
  if (!ADDR.test(input.managerAddr))
    throw new AppError("internal", `the manager address ${input.managerAddr} is not HOST:PORT`);
  const argv = ["docker", "swarm", "join", "--token", input.token, input.managerAddr];
  return {
    role: input.role,
    command: argv.join(" "),
    argv,
    managerAddr: input.managerAddr,
    ports: SWARM_PORTS.map((p) => ({ ...p })),
    registry: input.registry
      ? {
          host: input.registry.host,
          caPath: `/etc/docker/certs.d/${input.registry.host}/ca.crt`,
          caPem: input.registry.caPem,
        }
      : null,
  };
}

/** The text `yk nodes:join-command` prints: commands to copy, then the ports. Pure. */
export function renderJoinInstructions(j: JoinInstructions): string {
  const lines = [`Run on the new host, as root, to join as a ${j.role}:`, ""];
  if (j.registry) {
    const dir = j.registry.caPath.replace(/\/ca\.crt$/, "");
    lines.push(
      `  # trust Yadokari's image registry (${j.registry.host}), where nodes pull app images`,
      `  mkdir -p ${dir}`,
      `  cat > ${j.registry.caPath} <<'YADOKARI_CA'`,
      ...j.registry.caPem
        .trimEnd()
        .split("\n")
        .map((l) => `  ${l}`),
      "  YADOKARI_CA",
    );
  }
  lines.push(`  ${j.command}`, "", "Open these ports between the hosts first:");
  const w = Math.max(...j.ports.map((p) => p.port.length));
  for (const p of j.ports) lines.push(`  ${p.port.padEnd(w)}  ${p.why}`);
  lines.push(
    "",
    "The new node gets no units until it passes Yadokari's admission check (overlay traffic and a full-size",
    "packet across it): run 'yk nodes:admit NODE' once 'yk nodes' lists it as ready.",
  );
  return lines.join("\n") + "\n";
}
