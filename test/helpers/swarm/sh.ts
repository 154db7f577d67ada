import { run } from "../../../src/lib/run.js";

/** Runs a program (argv, no shell); throws with its stderr when it fails. */
export async function must(file: string, args: string[], timeoutMs = 20_000): Promise<string> {
  const r = await run(file, args, { timeoutMs });
  if (r.code !== 0)
    throw new Error(`${file} ${args.join(" ")} failed (${r.code ?? r.signal}): ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** Runs a program and ignores its failure: for teardown, where the thing may already be gone. */
export async function tryRun(file: string, args: string[], timeoutMs = 20_000): Promise<boolean> {
  try {
    const r = await run(file, args, { timeoutMs });
    return r.code === 0;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls fn until it returns a truthy value; every wait here is bounded. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  ms: number,
  every = 50,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(every);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
