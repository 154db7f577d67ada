import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { TestServer, FIXTURES, ROOT, uniqueApp } from "../helpers/yadokari.js";
import { launchChromium, screenshotDir } from "../helpers/browser.js";
import { waitFor } from "../helpers/http.js";
import { ykFor } from "../helpers/git.js";

/**
 * What the UI says about releases, runs and canaries (issue 15): each release
 * with its status (live, previously live, never live with how its deploy
 * failed), no rollback to a release whose image is gone, a typed confirmation
 * for one that never went live; a detached run that exited 0 shown as
 * succeeded; a finished canary's panel gone from the overview once a later
 * deploy ran. Screenshots go to test-artifacts/ui-releases/ (git-ignored).
 */
let s: TestServer;
let browser: Browser;
const PASSWORD = `pw-${randomBytes(9).toString("base64url")}`;
const shots = screenshotDir("ui-releases");
const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const CLI = join(ROOT, "dist/src/main/cli.js");
const yk = (...args: string[]) => ykFor(s, CLI)(...args);

before(async () => {
  // two releases keep their image: the third deploy's cleanup removes the first one's
  s = await TestServer.start({ env: { YADOKARI_KEEP_RELEASES: "2" } });
  assert.equal(
    (await s.api("POST", "/users", { email: "ana@example.com", role: "admin", password: PASSWORD })).status,
    201,
  );
  browser = await launchChromium({ resolve: s.domain });
  console.log(`# screenshots: ${shots}`);
});

after(async () => {
  await browser?.close();
  await s?.close();
});

async function logIn(width: number): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(s.url + "/");
  await page.getByLabel("Email").fill("ana@example.com");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: "Apps", level: 1 }).waitFor();
  return page;
}

test("releases: live, previously live, never live with its failed step; no rollback to a removed image; a never-live one needs its version typed", async () => {
  const app = uniqueApp("it-uirel");
  await s.createApp(app);
  assert.equal((await s.deploy(app, join(FIXTURES, "env"))).status, "succeeded"); // v1
  const failed = await s.deploy(app, join(FIXTURES, "exits")); // v2
  assert.equal(failed.status, "failed");
  assert.equal((await s.deploy(app, join(FIXTURES, "good"))).status, "succeeded"); // v3: v1's image is collected
  const rel = new Map(((await s.api("GET", `/apps/${app}/releases`)).body as any[]).map((r) => [r.version, r]));
  assert.equal(rel.get(1).imageAvailable, false, "v1's image was collected");
  assert.equal(rel.get(2).imageAvailable, true);

  for (const width of [1280, 390]) {
    const page = await logIn(width);
    await page.goto(`${s.url}/#/apps/${app}/releases`);
    const row = (v: number) => page.locator("tr", { has: page.getByText(`v${v}`, { exact: true }) });
    await row(3).getByText("live", { exact: true }).waitFor();
    await row(1).getByText("previously live").waitFor();
    await row(2).getByText("never live").waitFor();
    await row(2)
      .getByText(/failed at gate web-1 \(health_check_failed\)/)
      .waitFor();
    assert.equal(
      await row(2)
        .getByRole("link", { name: `deploy #${failed.id}` })
        .count(),
      1,
    );
    assert.equal(
      await row(1)
        .getByRole("button", { name: /Roll back/ })
        .count(),
      0,
      "no rollback to a removed image",
    );
    await row(1).getByText("image removed: no rollback").waitFor();
    assert.equal(
      await row(3)
        .getByRole("button", { name: /Roll back/ })
        .count(),
      0,
    );
    await shot(page, `releases-${width}`);

    // a never-live release: the dialog says so and wants the version typed before it rolls back
    await row(2).getByRole("button", { name: "Roll back to v2" }).click();
    const dialog = page.locator("dialog[open]");
    await dialog.getByText("v2 never went live").waitFor();
    const ok = dialog.getByRole("button", { name: /Roll back|Confirm/ }).last();
    assert.equal(await ok.isDisabled(), true, "not before the version is typed");
    await shot(page, `releases-never-live-dialog-${width}`);
    if (width === 390) {
      await dialog.getByLabel("Type v2 to confirm").fill("v2");
      assert.equal(await ok.isDisabled(), false);
      await ok.click();
      await page.waitForURL(/#\/apps\/.*\/deploys\/\d+$/);
      const id = Number(/deploys\/(\d+)$/.exec(page.url())![1]);
      const d = await s.waitDeploy(app, id);
      assert.equal(d.status, "failed", "forced, and it failed like v2 did");
      assert.equal(d.releaseVersion, 4);
    } else await dialog.getByRole("button", { name: "Cancel" }).click();
    await page.close();
  }
  const live = ((await s.api("GET", `/apps/${app}/releases`)).body as any[]).find((r) => r.live);
  assert.equal(live.version, 3, "the failed forced rollback left v3 live");
});

test("overview: a detached run that exited 0 shows as succeeded; a finished canary's panel goes after a later deploy", async () => {
  const app = uniqueApp("it-uiovw");
  await s.createApp(app);
  assert.equal((await s.deploy(app, join(FIXTURES, "good"))).status, "succeeded");

  const run = await yk("run", "-a", app, "--detach", "--", "sh", "-c", "echo done");
  assert.equal(run.code, 0, run.stderr);
  const name = /as (yk-\S+) \(detached\)/.exec(run.stdout)?.[1];
  assert.ok(name, run.stdout);
  await waitFor("the detached run to exit", async () => {
    const c = ((await s.api("GET", `/apps/${app}/ps`)).body as any[]).find((x) => x.name === name);
    return c?.state === "exited" ? c : null;
  });
  const ps = await yk("ps", "-a", app);
  assert.match(ps.stdout.split("\n").find((l) => l.startsWith(name!)) ?? "", /\bsucceeded\b/, ps.stdout);

  const page = await logIn(1280);
  await page.goto(`${s.url}/#/apps/${app}`);
  const runRow = page.locator("tr", { has: page.getByText(name!, { exact: true }) });
  await runRow.getByText("succeeded", { exact: true }).waitFor();
  assert.equal(await runRow.getByText("failed").count(), 0);
  await shot(page, "overview-detached-run");

  // a canary, promoted: its panel says it succeeded while it is the last deploy
  assert.equal(
    (await s.api("PATCH", `/apps/${app}/deploy-settings`, { strategy: "canary", steps: [50, 100], stepSec: 600 }))
      .status,
    200,
  );
  const change = await s.api("PATCH", `/apps/${app}/config`, { set: { CANARY: "1" } });
  assert.equal(change.status, 200, JSON.stringify(change.body));
  await waitFor("the canary's first step", async () => {
    const st = (await s.api("GET", `/apps/${app}/deploy-status`)).body;
    return st.canary?.stepIndex === 0 ? true : null;
  });
  assert.equal((await s.api("POST", `/apps/${app}/deploy/promote`, {})).status, 200);
  assert.equal((await s.waitDeploy(app, change.body.deploy.id)).status, "succeeded");
  await page.goto(`${s.url}/#/apps/${app}/deploys`);
  await page.goto(`${s.url}/#/apps/${app}`);
  const canary = page.getByRole("heading", { name: /^Canary v\d+ against v\d+/ });
  await canary.waitFor();

  // a later (rolling) deploy: the finished canary is history, the overview shows no panel for it
  assert.equal((await s.api("PATCH", `/apps/${app}/deploy-settings`, { strategy: "rolling" })).status, 200);
  const later = await s.api("PATCH", `/apps/${app}/config`, { set: { LATER: "1" } });
  assert.equal((await s.waitDeploy(app, later.body.deploy.id)).status, "succeeded");
  await page.goto(`${s.url}/#/apps/${app}/deploys`);
  await page.goto(`${s.url}/#/apps/${app}`);
  await page.getByRole("heading", { name: "Containers" }).waitFor();
  await page.waitForTimeout(1000); // the deploy status is loaded with the page
  assert.equal(await canary.count(), 0, "no canary panel after a later deploy");
  await shot(page, "overview-after-canary");

  // and yk deploy:settings says the canary settings left over do nothing now
  const settings = await yk("deploy:settings", "-a", app);
  assert.match(settings.stdout, /stepSec:\s+600 \(inactive: strategy is rolling\)/, settings.stdout);
  await page.close();
});
