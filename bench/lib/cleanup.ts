/**
 * One cleanup stack for a bench: everything it starts (servers, containers,
 * child processes, temp dirs) registers how to undo itself, and the stack is
 * run in reverse order once: at the end of the bench (finally), on SIGINT or
 * SIGTERM, or when the overall time bound is hit. Each step is bounded in
 * time so a stuck step cannot keep the bench alive.
 */

type Step = { name: string; fn: () => unknown | Promise<unknown>; done: boolean };

const steps: Step[] = [];
let chain: Promise<void> = Promise.resolve();
let stopping = false;

/** True once a signal or the time bound has started the final cleanup: the bench should stop reporting and return. */
export const isStopping = () => stopping;

/** Registers an undo step; returns a function that runs it now (and only once). */
export function onCleanup(name: string, fn: () => unknown | Promise<unknown>): () => Promise<void> {
  const step: Step = { name, fn, done: false };
  steps.push(step);
  return () => runStep(step);
}

async function runStep(step: Step, boundMs = 60000): Promise<void> {
  if (step.done) return;
  step.done = true;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(step.fn),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not finish within ${boundMs} ms`)), boundMs);
      }),
    ]);
  } catch (e) {
    process.stderr.write(`[bench] cleanup '${step.name}' failed: ${(e as Error).message}\n`);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every step not yet run, last registered first. Safe to call more than once (later steps registered since run then). */
export function runCleanup(): Promise<void> {
  chain = chain.then(async () => {
    for (let i = steps.length - 1; i >= 0; i--) await runStep(steps[i]);
  });
  return chain;
}

/**
 * SIGINT/SIGTERM: clean up, then exit 130/143. A second signal exits at once.
 * `maxMs` bounds the whole bench: when it is reached, clean up and exit 2.
 */
export function installExitHandlers(maxMs: number): void {
  let signalled = false;
  const onSignal = (sig: NodeJS.Signals, code: number) => {
    if (signalled) {
      process.stderr.write(`[bench] second ${sig}: exiting without finishing cleanup\n`);
      process.exit(code);
    }
    signalled = true;
    stopping = true;
    process.stderr.write(`[bench] ${sig}: cleaning up (send it again to exit at once)\n`);
    void runCleanup().finally(() => process.exit(code));
  };
  process.on("SIGINT", () => onSignal("SIGINT", 130));
  process.on("SIGTERM", () => onSignal("SIGTERM", 143));
  const watchdog = setTimeout(() => {
    stopping = true;
    process.stderr.write(
      `[bench] the bench did not finish within ${Math.round(maxMs / 1000)} s: cleaning up and exiting\n`,
    );
    void runCleanup().finally(() => process.exit(2));
  }, maxMs);
  watchdog.unref();
}

/**
 * Runs a bench's main: its exit code on success; on an error, the stack,
 * the cleanup and exit 2. Nothing may keep the process alive afterwards
 * (agents, timers), hence the unref'd hard exit.
 */
export function runBench(main: () => Promise<number>): void {
  main().then(
    async (code) => {
      await runCleanup();
      process.exitCode = code;
      setTimeout(() => process.exit(code), 2000).unref();
    },
    async (e) => {
      process.stderr.write(`[bench] ERROR: ${(e as Error).stack ?? e}\n`);
      await runCleanup();
      process.exit(2);
    },
  );
}
