import type { EngineContext } from "../context.js";
import type { ContainerSpec } from "../../docker/port.js";
import { NETWORK } from "../plan/container-spec.js";

export interface OneOffResult {
  id: string;
  exitCode: number | null;
  timedOut: boolean;
}

/**
 * Runs a one-off container to its end (release phase, cron), streaming its
 * output line by line, then removes it. A run past its timeout is stopped
 * and reported as timed out.
 */
export async function runToCompletion(
  ctx: EngineContext,
  spec: ContainerSpec,
  opts: { onLine: (line: string) => void; timeoutSec: number },
): Promise<OneOffResult> {
  const { id } = await ctx.docker.run(spec, NETWORK);
  const abort = new AbortController();
  const logs = ctx.docker
    .followLogs(id, { tail: 100000, follow: true, onLine: opts.onLine, signal: abort.signal })
    .catch(() => {});
  try {
    const exit = await ctx.docker.wait(id, opts.timeoutSec * 1000);
    if (!exit) await ctx.docker.stop(id, 5);
    // the log stream ends when the container does; give it a moment to deliver the last lines
    await Promise.race([logs, new Promise((r) => setTimeout(r, 2000))]);
    return { id, exitCode: exit?.exitCode ?? null, timedOut: !exit };
  } finally {
    abort.abort();
    await ctx.docker.remove(id);
  }
}
