import type { HealthCheck } from "../../domain/health-check.js";

export interface ProbeResult {
  status: number;
  body: string;
}
/** One HTTP GET; rejects on connection errors and timeouts. */
export type Probe = (url: string, timeoutMs: number) => Promise<ProbeResult>;
/** Whether the unit still runs, and its exit code when it does not. */
export type ContainerState = (id: string) => Promise<{ running: boolean; exitCode: number | null }>;

export interface GateDeps {
  probe: Probe;
  state: ContainerState;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export type GateResult = { ok: true; attempts: number } | { ok: false; reason: string; exited: boolean };

/**
 * The health gate, run from outside the unit (at the address and port the
 * router will use), so images need no curl.
 * Polls until the check passes, the container exits, the attempts run out or
 * the deadline passes, whichever comes first.
 */
export async function gate(
  target: { id: string; name: string; address: string | null; port: number },
  hc: HealthCheck,
  deps: GateDeps,
): Promise<GateResult> {
  const start = deps.now();
  const deadline = start + hc.deadline * 1000;
  const what = `GET ${hc.path}`;
  if (hc.initialDelay > 0) await deps.sleep(hc.initialDelay * 1000);
  let last = "no attempt made";
  for (let attempt = 1; attempt <= hc.attempts; attempt++) {
    const st = await deps.state(target.id);
    if (!st.running) {
      return {
        ok: false,
        exited: true,
        reason: `container ${target.name} exited${st.exitCode === null ? "" : ` with code ${st.exitCode}`} before passing its health check (${what})`,
      };
    }
    const remaining = deadline - deps.now();
    if (remaining <= 0) break;
    try {
      // A container that exits at once may have no address by the time it was inspected. With Docker's
      // restart policy it may run again by the time its state is asked: the next attempt sees it
      // restarting (or exited), and its exit is the reason.
      if (!target.address) throw Object.assign(new Error("no address"), { code: "ENOADDRESS" });
      const r = await deps.probe(
        `http://${target.address}:${target.port}${hc.path}`,
        Math.min(hc.timeout * 1000, remaining),
      );
      if (r.status < hc.maxStatus && (hc.content === null || r.body.includes(hc.content)))
        return { ok: true, attempts: attempt };
      last =
        r.status >= hc.maxStatus
          ? `answered ${r.status}`
          : `answered ${r.status} without the expected content ${JSON.stringify(hc.content)}`;
    } catch (e) {
      last = describeProbeError(e, target.port);
    }
    if (deps.now() + hc.wait * 1000 >= deadline) break;
    await deps.sleep(hc.wait * 1000);
  }
  const secs = ((deps.now() - start) / 1000).toFixed(1);
  return {
    ok: false,
    exited: false,
    reason: `container ${target.name} did not pass its health check (${what} on port ${target.port}) in ${secs} s: last attempt ${last}`,
  };
}

function describeProbeError(e: unknown, port: number): string {
  const code = (e as { code?: string }).code;
  if (code === "ENOADDRESS") return "found no address on the yadokari network (the container exited at once?)";
  if (code === "ECONNREFUSED") return `was refused: nothing listens on port ${port} (does the app listen on $PORT?)`;
  if (code === "ETIMEDOUT" || code === "ESOCKETTIMEDOUT" || (e as Error).name === "TimeoutError") return "timed out";
  return `failed: ${(e as Error).message}`;
}
