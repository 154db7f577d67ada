import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../lib/run.js";
import { validateAppName } from "../domain/names.js";

const HOOK_PROGRAM = resolve(dirname(fileURLToPath(import.meta.url)), "pre-receive.js");

/** Bare repositories that `git push` writes to, one per app, under <data-dir>/git. */
export class GitRepos {
  constructor(readonly root: string) {}

  path(app: string): string {
    return join(this.root, `${validateAppName(app)}.git`);
  }

  /** Creates the repository if needed and (re)installs its pre-receive hook. Idempotent. */
  async ensure(app: string): Promise<string> {
    const dir = this.path(app);
    mkdirSync(this.root, { recursive: true });
    if (!existsSync(join(dir, "HEAD"))) {
      const r = await run("git", ["init", "--bare", "--quiet", "--", dir]);
      if (r.code !== 0) throw new Error(`git init failed: ${r.stderr.trim()}`);
    }
    // The hook builds and deploys the pushed commit before the ref moves, so a
    // failed deploy rejects the push. Both paths are ours, not user input.
    const hook = `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(HOOK_PROGRAM)}\n`;
    writeFileSync(join(dir, "hooks", "pre-receive"), hook, { mode: 0o755 });
    return dir;
  }

  remove(app: string): void {
    rmSync(this.path(app), { recursive: true, force: true });
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
