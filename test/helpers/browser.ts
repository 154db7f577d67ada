import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { ROOT } from "./yadokari.js";

/** Debian's Chromium, headless; a test never downloads a browser of its own. */
export const CHROMIUM = "/usr/bin/chromium";

/** `resolve`: a domain whose hosts resolve to 127.0.0.1, as DNS would point them at this server (e.g. the test server's "yk.test"). */
export async function launchChromium(opts: { resolve?: string } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run 'bash scripts/setup.sh --browser' (npm test does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      ...(opts.resolve ? [`--host-resolver-rules=MAP *.${opts.resolve} 127.0.0.1`] : []),
    ],
  });
}

/** Where the UI tests keep their screenshots (git-ignored; look at them after a run). */
export function screenshotDir(name = "ui"): string {
  const dir = join(ROOT, "test-artifacts", name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
