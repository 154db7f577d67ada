import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { TestServer, FIXTURES, uniqueApp } from "../helpers/yadokari.js";
import { launchChromium, screenshotDir } from "../helpers/browser.js";
import { waitFor } from "../helpers/http.js";
import { deliver, githubPush, LocalRemote } from "../helpers/git.js";

/**
 * Every page of the UI, at a desktop width (1280 px) and a phone's (390 px):
 * the pages for what the CLI does beyond deploys (cron jobs, storage, deploy
 * strategy, webhooks, review apps, promotion, the deploy list's paging, the
 * audit log's), each used once from the browser, and on every page no control
 * outside the viewport and no card wider than the screen. Screenshots go to
 * test-artifacts/ui-pages/ (git-ignored): look at them.
 */
let s: TestServer;
let browser: Browser;
let remote: LocalRemote;
let src: string;
let storageRoot: string;
const app = uniqueApp("it-uip");
const target = uniqueApp("it-uip-prod");
const PASSWORD = `pw-${randomBytes(9).toString("base64url")}`;
const shots = screenshotDir("ui-pages");
const WIDTHS = [1280, 390] as const;

before(async () => {
  storageRoot = mkdtempSync(join(tmpdir(), "yk-storage-"));
  s = await TestServer.start({ env: { YADOKARI_STORAGE_ROOTS: storageRoot } });
  // the cron fixture with one job that never fires by itself during the test
  src = mkdtempSync(join(tmpdir(), "yk-uip-src-"));
  cpSync(join(FIXTURES, "cron"), src, { recursive: true });
  writeFileSync(
    join(src, "app.json"),
    JSON.stringify({
      cron: [{ name: "report", command: "echo report for $YADOKARI_APP; echo done", schedule: "@daily" }],
    }),
  );
  remote = await LocalRemote.create(src);
  await s.createApp(app);
  await s.createApp(target);
  const d = await s.deploy(app, src);
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  assert.equal(
    (await s.api("POST", "/users", { email: "ana@example.com", role: "admin", password: PASSWORD })).status,
    201,
  );
  browser = await launchChromium({ resolve: s.domain });
  console.log(`# screenshots: ${shots}`);
});

after(async () => {
  await browser?.close();
  // review apps made below are apps of their own
  for (const a of ((await s?.api("GET", "/apps"))?.body ?? []) as { name: string }[]) s.apps.add(a.name);
  await s?.close();
  remote?.remove();
  for (const d of [src, storageRoot]) if (d) rmSync(d, { recursive: true, force: true });
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

/** Controls the reader cannot reach without scrolling sideways, and cards wider than their box. */
async function outOfView(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const vw = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > vw + 1)
      problems.push(`the page is ${document.documentElement.scrollWidth} px wide in a ${vw} px viewport`);
    for (const el of document.querySelectorAll("a, button, input, select, textarea")) {
      if (el.closest("dialog:not([open])") || el.classList.contains("skip")) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.left < -1 || r.right > vw + 1)
        problems.push(`${el.outerHTML.slice(0, 90)} spans ${Math.round(r.left)}..${Math.round(r.right)} of ${vw}`);
    }
    for (const box of document.querySelectorAll(".panel, .table-wrap, .log")) {
      if (box.classList.contains("log")) continue; // a log box scrolls its own long lines by design (pre-wrap)
      if (box.scrollWidth > box.clientWidth + 1)
        problems.push(
          `${box.className} scrolls sideways (${box.scrollWidth} > ${box.clientWidth}): ${box.textContent?.slice(0, 60)}`,
        );
    }
    return problems;
  });
}

/** Opens a page, waits for what says it is there, takes its screenshot, and checks its layout. */
async function visit(page: Page, width: number, hash: string, ready: (p: Page) => Promise<unknown>, name: string) {
  await page.goto(`${s.url}/#/${hash}`);
  await ready(page);
  await page.waitForTimeout(150); // the cells' column labels are set on the next frame
  await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: true });
  assert.deepEqual(await outOfView(page), [], `${name} at ${width} px`);
}

const heading = (name: string | RegExp) => (p: Page) => p.getByRole("heading", { name }).first().waitFor();

test("first visit: the first-admin form says its password rule once", async () => {
  const fresh = await TestServer.start();
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 800 } });
    await page.goto(fresh.url + "/");
    await page.getByRole("heading", { name: "Welcome to Yadokari" }).waitFor();
    assert.equal(await page.getByText(/12 characters/).count(), 1, "the rule, as the hint");
    await page.getByLabel("Choose a password").fill("short");
    await page.getByText("At least 12 characters.").waitFor();
    assert.equal(await page.getByText(/12 characters/).count(), 1, "the rule once, as the error in the hint's place");
    await page.screenshot({ path: join(shots, "first-admin-short-390.png"), fullPage: true });
    assert.deepEqual(await outOfView(page), []);
    await page.close();
  } finally {
    await fresh.close();
  }
});

test("cron: the job with its next and last run; Run now from the page, then its output", async () => {
  const page = await logIn(1280);
  await page.goto(`${s.url}/#/apps/${app}/cron`);
  const row = page.locator("tr", { hasText: "report" });
  await row.getByText("never").waitFor();
  await page.getByRole("button", { name: "Run report now" }).click();
  await page.getByRole("heading", { name: "Runs of report" }).waitFor();
  await waitFor(
    "the manual run to end",
    async () => (await s.api("GET", `/apps/${app}/cron/report/runs`)).body[0]?.status === "succeeded",
    60_000,
    250,
  );
  await page
    .getByRole("button", { name: /^Output of #\d+/ })
    .first()
    .click();
  await page.getByText(`report for ${app}`).waitFor({ timeout: 10_000 });
  await page.getByRole("link", { name: "Overview" }).click();
  await page.getByRole("link", { name: "Cron" }).click();
  await row.getByText("succeeded").waitFor();
  await page.close();
});

test("settings: the deploy strategy and storage from forms; the server's rules show next to the field", async (t) => {
  // whatever happens here, the deploys of the tests after this one roll
  t.after(async () => void (await s.api("PATCH", `/apps/${app}/deploy-settings`, { strategy: "rolling" })));
  const page = await logIn(1280);
  await page.goto(`${s.url}/#/apps/${app}/settings`);
  await page.getByLabel("Strategy", { exact: true }).selectOption("canary");
  await page.getByLabel("Steps (%)").fill("10, 50, 100");
  await page.getByLabel("Step duration (s)").fill("30");
  await page.getByRole("button", { name: "Save deploy settings" }).click();
  await page.getByText("Saved: the next deploy uses them.").waitFor();
  const saved = (await s.api("GET", `/apps/${app}/deploy-settings`)).body;
  assert.equal(saved.strategy, "canary");
  assert.deepEqual(saved.steps, [10, 50, 100]);
  assert.equal(saved.stepSec, 30);
  // a refused mount: the rule is shown by the field; then a good one is listed
  await page.getByLabel("Host directory or volume name").fill("/etc");
  await page.getByLabel("Container path").fill("/app/etc");
  await page.getByRole("button", { name: "Mount", exact: true }).click();
  await page.getByText(/host path \/etc is refused/).waitFor();
  const dir = join(storageRoot, app, "files");
  mkdirSync(dir, { recursive: true });
  await page.getByLabel("Host directory or volume name").fill(dir);
  await page.getByLabel("Container path").fill("/app/files");
  await page.getByRole("button", { name: "Mount", exact: true }).click();
  await page.getByRole("cell", { name: "/app/files", exact: true }).waitFor();
  assert.deepEqual(
    (await s.api("GET", `/apps/${app}/storage`)).body.map((m: { containerPath: string }) => m.containerPath),
    ["/app/files"],
  );
  // back to rolling, so the deploys below roll
  await page.getByLabel("Strategy", { exact: true }).selectOption("rolling");
  await page.getByRole("button", { name: "Save deploy settings" }).click();
  await page.getByText("Saved: the next deploy uses them.").waitFor();
  assert.equal((await s.api("GET", `/apps/${app}/deploy-settings`)).body.strategy, "rolling");
  await page.close();
});

test("git: repository, webhook URL, secret revealed and rotated, deliveries; review apps enabled, made and destroyed", async () => {
  const page = await logIn(1280);
  await page.goto(`${s.url}/#/apps/${app}/git`);
  await page.getByLabel("Connect a repository").fill(remote.bare);
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await page.getByText(remote.bare, { exact: true }).waitFor();
  await page.getByText(`${s.url}/hooks/github/${app}`).waitFor();
  await page.getByRole("button", { name: "Make the secret" }).click();
  const secretEl = page.locator(".value").first();
  await secretEl.waitFor();
  const secret = (await secretEl.textContent())!.trim();
  assert.match(secret, /^[0-9a-f]{64}$/);
  // a delivery signed with it shows up in the list
  const sha = await remote.commit("main", "NOTE.md", "hello\n");
  assert.equal((await deliver(s.url, "github", app, githubPush("main", sha), { secret })).status, 202);
  await waitFor(
    "the webhook's deploy",
    async () => /^deployed/.test((await s.api("GET", `/apps/${app}/hooks/deliveries`)).body[0]?.outcome ?? ""),
    120_000,
    250,
  );
  await page.reload();
  await page.getByRole("cell", { name: /deployed/ }).waitFor();
  await page.getByRole("button", { name: "Rotate secret" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Rotate secret" }).click();
  await waitFor("a new secret", async () => ((await secretEl.textContent()) ?? "").trim() !== secret, 10_000, 100);

  await page.getByLabel("Destroy after (TTL)").fill("2d");
  await page.getByRole("button", { name: "Enable review apps" }).click();
  await page.getByText(/^On: every pushed branch/).waitFor();
  await remote.commit("feature/ui-pages", "F.md", "f\n");
  await page.getByLabel("Make one for a branch").fill("feature/ui-pages");
  await page.getByRole("button", { name: "Create review app" }).click();
  await page.getByRole("heading", { name: /Deploy #\d+/ }).waitFor();
  const review = (await s.api("GET", `/apps/${app}/review-apps`)).body.apps[0];
  assert.equal(review.branch, "feature/ui-pages");
  await s.waitDeploy(review.app, (await s.api("GET", `/apps/${review.app}/deploys`)).body[0].id);
  await page.goto(`${s.url}/#/apps/${app}/git`);
  const row = page.locator("tr", { hasText: "feature/ui-pages" });
  await row.getByText(`ui-pages.${app}.${s.domain}`, { exact: false }).waitFor();
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(shots, `git-with-review-app-${width}.png`), fullPage: true });
    assert.deepEqual(await outOfView(page), [], `git at ${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await row.getByRole("button", { name: "Destroy feature/ui-pages" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Destroy feature/ui-pages" }).click();
  await waitFor(
    "the review app to go",
    async () => (await s.api("GET", `/apps/${app}/review-apps`)).body.apps.length === 0,
    60_000,
    250,
  );
  await page.close();
});

test("promotion from the releases page deploys the live image to the other app", async () => {
  const page = await logIn(1280);
  await page.goto(`${s.url}/#/apps/${app}/releases`);
  await page.getByLabel("Promote to").selectOption(target);
  await page.getByRole("button", { name: `Promote to ${target}` }).click();
  await page.getByRole("dialog").getByLabel(`Type ${target} to confirm`).fill(target);
  await page
    .getByRole("dialog")
    .getByRole("button", { name: `Promote to ${target}` })
    .click();
  await page.getByRole("heading", { name: /Deploy #\d+/ }).waitFor();
  assert.match(page.url(), new RegExp(`#/apps/${target}/deploys/\\d+$`));
  await page.getByText(/Live at http/).waitFor({ timeout: 120_000 });
  const live = (await s.api("GET", `/apps/${target}/releases`)).body[0];
  assert.match(live.image, new RegExp(`promoted-${app}-v\\d+`));
  await page.close();
});

test("the deploy list and the audit log page back and forth", async () => {
  // enough deploys for two pages of 20: restarts are quick deploys
  const have = (await s.api("GET", `/apps/${app}/deploys?limit=100`)).body.length;
  for (let i = have; i < 22; i++) {
    const r = await s.api("POST", `/apps/${app}/ps/restart`, {});
    assert.equal(r.status, 202, JSON.stringify(r.body));
    await s.waitDeploy(app, r.body.id);
  }
  const all = (await s.api("GET", `/apps/${app}/deploys?limit=100`)).body as { id: number }[];
  const page = await logIn(1280);
  await page.goto(`${s.url}/#/apps/${app}/deploys`);
  const ids = async () =>
    (await page.locator("#h-deploys ~ .table-wrap tbody tr td:first-child a").allTextContents()).map((t) => t.trim());
  await page.getByRole("link", { name: `#${all[0].id}`, exact: true }).waitFor();
  assert.equal((await ids()).length, 20);
  await page.getByRole("button", { name: "Older deploys" }).click();
  await page.getByRole("link", { name: `#${all[20].id}`, exact: true }).waitFor();
  assert.deepEqual(
    await ids(),
    all.slice(20).map((d) => `#${d.id}`),
  );
  await page.getByRole("button", { name: "Newer deploys" }).click();
  await page.getByRole("link", { name: `#${all[0].id}`, exact: true }).waitFor();

  // cheap entries for a second page of the audit log: config changes stored without a deploy
  for (let i = 0; i < 30; i++)
    assert.equal(
      (await s.api("PATCH", `/apps/${app}/config`, { set: { [`K${i}`]: "v" }, restart: false })).status,
      200,
    );
  await page.goto(`${s.url}/#/audit`);
  await page.getByText(`set config vars K29 on ${app}`).waitFor();
  const firstPage = await page.locator("table.audit tbody tr").count();
  assert.equal(firstPage, 50, "a full page");
  await page.getByText(`restarted every process of ${app}`).first().waitFor();
  await page.getByRole("button", { name: "Older entries" }).click();
  await page.getByRole("button", { name: "Newer entries" }).waitFor();
  await waitFor(
    "the older page",
    async () => !(await page.getByRole("button", { name: "Newer entries" }).isDisabled()),
    5000,
    100,
  );
  await page.close();
});

test("every page at 1280 and 390 px: no control outside the screen, no card wider than it", async () => {
  for (const width of WIDTHS) {
    const page = await logIn(width);
    const pages: [string, (p: Page) => Promise<unknown>, string][] = [
      ["apps", heading("Apps"), "apps"],
      [`apps/${app}`, heading("Processes"), "overview"],
      [`apps/${app}/deploys`, heading("Deploys"), "deploys"],
      [`apps/${app}/deploys/1`, heading(/Deploy #1/), "deploy-detail"],
      [`apps/${app}/releases`, heading("Promote"), "releases"],
      [`apps/${app}/config`, heading("Config vars"), "config"],
      [`apps/${app}/domains`, heading("Domains"), "domains"],
      [`apps/${app}/cron/report`, heading("Runs of report"), "cron"],
      [`apps/${app}/git`, heading("Webhooks"), "git"],
      [`apps/${app}/logs`, heading("Logs"), "logs"],
      [`apps/${app}/settings`, heading("Storage"), "settings"],
      ["new", heading("New app"), "new-app"],
      ["tokens", heading("Your tokens"), "tokens"],
      ["users", heading("Users"), "users"],
      ["audit", heading("Audit log"), "audit"],
    ];
    for (const [hash, ready, name] of pages) await visit(page, width, hash, ready, name);
    await page.close();
  }
  // the login page, logged out
  for (const width of WIDTHS) {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    await visit(page, width, "", heading("Log in"), "login");
    await page.close();
  }
});
