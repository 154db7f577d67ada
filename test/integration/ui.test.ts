import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { TestServer, ROOT, uniqueApp } from "../helpers/yadokari.js";
import { launchChromium, screenshotDir } from "../helpers/browser.js";
import { getVia, waitFor } from "../helpers/http.js";
import { packTarGz } from "../../src/cli/pack.js";
import { LocalRemote } from "../helpers/git.js";

/**
 * The web UI in Debian's Chromium against a real server, dockerd and router:
 * log in, create an app, deploy the example from the browser and watch its
 * log to success, open it, set a config var (a new release), roll back, and
 * check what a viewer can and cannot do. Screenshots of the main pages go to
 * test-artifacts/ui/.
 */
let s: TestServer;
let browser: Browser;
const app = uniqueApp("it-ui");
const PASSWORD = `pw-${randomBytes(9).toString("base64url")}`;
const SECRET = `s3cret-${randomBytes(6).toString("hex")}`;
const shots = screenshotDir();
const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

before(async () => {
  s = await TestServer.start();
  s.apps.add(app); // cleaned up by close() once the browser has made it
  // the bundle must be there, or every page below would wait for nothing
  const bundle = await fetch(`${s.url}/assets/app.js`);
  assert.equal(bundle.status, 200, "dist/web/assets/app.js is served (npm run build makes it)");
  browser = await launchChromium({ resolve: s.domain });
});

after(async () => {
  await browser?.close();
  await s?.close();
});

async function logIn(page: Page, email: string) {
  await page.goto(s.url + "/");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: "Apps", level: 1 }).waitFor();
}

/** Every form control has a label a screen reader can announce. */
async function unlabelled(page: Page): Promise<string[]> {
  return page.$$eval("input, select, textarea, button", (els) =>
    els
      .filter((el) => {
        const e = el as HTMLInputElement;
        if (e.type === "hidden" || e.closest("dialog:not([open])")) return false;
        const name =
          e.getAttribute("aria-label") ||
          (e.labels && e.labels.length > 0 ? "label" : "") ||
          (e.tagName === "BUTTON" ? e.textContent?.trim() : "");
        return !name;
      })
      .map((el) => el.outerHTML.slice(0, 80)),
  );
}

test("first visit: whoever has the admin token creates the first admin in the browser, and is logged in", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await page.goto(s.url + "/");
  await page.getByRole("heading", { name: "Welcome to Yadokari" }).waitFor();
  await page.getByLabel("Admin token").fill("yk_wrong");
  await page.getByLabel("Your email").fill("ana@example.com");
  await page.getByLabel("Choose a password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create admin and log in" }).click();
  await page.getByText("missing or invalid API token").waitFor();
  await shot(page, "00-first-admin");
  await page.getByLabel("Admin token").fill(s.token);
  await page.getByRole("button", { name: "Create admin and log in" }).click();
  await page.getByRole("heading", { name: "Apps", level: 1 }).waitFor();
  assert.equal((await s.api("GET", "/users")).body[0].role, "admin");
  // from now on the page asks for a login
  const fresh = await browser.newPage();
  await fresh.goto(s.url + "/");
  await fresh.getByRole("heading", { name: "Log in" }).waitFor();
  await fresh.close();
  await page.close();
});

test("an admin creates an app, deploys it from the browser, sets a config var and rolls back", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const consoleErrors: string[] = [];
  // a 401 is how the page learns it must log in (and the wrong password above): the browser logs those, they are expected
  page.on("console", (m) => m.type() === "error" && !/status of 401/.test(m.text()) && consoleErrors.push(m.text()));
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  await page.goto(s.url + "/");
  await page.getByRole("heading", { name: "Log in" }).waitFor();
  await shot(page, "01-login");
  // a wrong password: the API's message, no way in
  await page.getByLabel("Email").fill("ana@example.com");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByText("wrong email or password").waitFor();
  await logIn(page, "ana@example.com");
  assert.deepEqual(await unlabelled(page), []);

  // create: the form checks the rule, then the API creates it
  await page.getByRole("link", { name: "New app" }).click();
  await page.getByLabel("App name").fill("Bad_Name");
  await page.getByRole("button", { name: "Create app" }).click();
  await page.getByText("Use 1 to 30 lowercase letters").waitFor();
  assert.equal(await page.getByLabel("App name").getAttribute("aria-invalid"), "true");
  await shot(page, "02-new-app-invalid");
  await page.getByLabel("App name").fill(app);
  await page.getByRole("button", { name: "Create app" }).click();
  await page.getByRole("heading", { name: "Deploy", exact: true }).waitFor();
  // the viewer of the last test, granted the app now that it exists (grants name existing apps)
  const viewer = await s.api("POST", "/users", {
    email: "vic@example.com",
    role: "viewer",
    apps: [app],
    password: PASSWORD,
  });
  assert.equal(viewer.status, 201, JSON.stringify(viewer.body));

  // deploy the example from the browser, then watch the live log to success
  const { data } = await packTarGz(join(ROOT, "examples/node-hello"));
  await page
    .getByLabel("Source archive")
    .setInputFiles({ name: "node-hello.tar.gz", mimeType: "application/gzip", buffer: Buffer.from(data) });
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
  await page.getByRole("heading", { name: /Deploy #1/ }).waitFor();
  const log = page.getByLabel("Log of deploy 1");
  await waitFor(
    "build output in the live log",
    async () => /Step|FROM|build/i.test((await log.textContent()) ?? ""),
    60_000,
    250,
  );
  await page.getByText(/Live at http/).waitFor({ timeout: 120_000 });
  // the log box batches lines for 100 ms: its last lines may land just after the status does
  await waitFor(
    "the end of the deploy in the live log",
    async () => /live/i.test((await log.textContent()) ?? ""),
    10_000,
    100,
  );
  await shot(page, "03-deploy-succeeded");

  // the app answers at the URL the page links to (the test's hostnames resolve to 127.0.0.1 as DNS would)
  const url = await page
    .getByRole("link", { name: /Live at|http/ })
    .first()
    .getAttribute("href");
  assert.ok(url);
  const appPage = await browser.newPage();
  const res = await appPage.goto(url!);
  assert.equal(res?.status(), 200);
  await appPage.close();
  assert.equal((await getVia(s.httpPort, `${app}.${s.domain}`, "/")).status, 200);

  // overview: processes and containers, live
  await page.getByRole("link", { name: "Overview" }).click();
  await page.getByRole("heading", { name: "Processes" }).waitFor();
  await page.getByText("1 / 1").waitFor({ timeout: 30_000 });
  await shot(page, "04-app-overview");

  // config: set with confirmation → a new release; the value is masked until revealed
  await page.getByRole("link", { name: "Config vars" }).click();
  await page.getByLabel("Key").fill("1BAD");
  await page.getByText("not starting with a digit").waitFor();
  await page.getByLabel("Key").fill("GREETING");
  await page.getByLabel("Value").fill(SECRET);
  await page.getByRole("button", { name: "Set", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Set", exact: true }).click();
  await page.getByText(/Set GREETING: deploying a new release/).waitFor();
  await page.getByText("GREETING", { exact: true }).waitFor();
  assert.equal(await page.getByText(SECRET).count(), 0, "masked");
  await page.getByRole("button", { name: "Reveal GREETING" }).click();
  await page.getByText(SECRET).waitFor();
  await shot(page, "05-config");
  await waitFor(
    "release v2 to go live",
    async () => (await s.api("GET", `/apps/${app}`)).body.liveRelease === 2,
    90_000,
    500,
  );

  // releases: roll back to v1 from the page, and follow that deploy
  await page.getByRole("link", { name: "Releases" }).click();
  await page.getByText("Set GREETING").waitFor();
  await shot(page, "06-releases");
  await page.getByRole("button", { name: "Roll back to v1" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Roll back to v1" }).click();
  await page.getByRole("heading", { name: /Deploy #3/ }).waitFor();
  await page.getByText(/Live at http/).waitFor({ timeout: 90_000 });
  await page.getByRole("link", { name: "Releases" }).click();
  await page.getByText("Rollback to v1").waitFor();
  const who = await page.locator("tr", { hasText: "Rollback to v1" }).textContent();
  assert.match(who ?? "", /ana@example\.com/, "the release records who made it");

  // with a connected repository, a chosen branch deploys from the page
  const remote = await LocalRemote.create(join(ROOT, "examples/node-hello"));
  try {
    await remote.commit("feature/ui", "NOTES.md", "from a branch\n");
    assert.equal((await s.api("PUT", `/apps/${app}/git`, { url: remote.bare, branch: "main" })).status, 200);
    await page.getByRole("link", { name: "Deploys" }).click();
    await page.getByLabel("Branch").fill("feature/ui");
    await page.getByLabel("Commit (optional)").fill("not-a-sha");
    await page.getByText("A full 40-character lowercase commit SHA").waitFor();
    await page.getByLabel("Commit (optional)").fill("");
    await shot(page, "07-deploy-from-git");
    await page.getByRole("button", { name: "Deploy from git" }).click();
    await page.getByRole("heading", { name: /Deploy #4/ }).waitFor();
    await page.getByText(/Live at http/).waitFor({ timeout: 120_000 });
    const deployed = (await s.api("GET", `/apps/${app}/deploys/4`)).body;
    assert.equal(deployed.commit, await remote.head("feature/ui"));
    assert.equal(deployed.ref, "refs/heads/feature/ui");
  } finally {
    remote.remove();
  }

  // the apps list, updated live
  await page.getByRole("link", { name: "Apps", exact: true }).first().click();
  await page.locator("tr", { hasText: app }).getByText("running").waitFor();
  await shot(page, "08-apps");
  // destroying asks for the name first
  await page.goto(`${s.url}/#/apps/${app}/settings`);
  await page.getByRole("button", { name: "Destroy app" }).click();
  const confirm = page.getByRole("dialog").getByRole("button", { name: "Destroy app" });
  assert.equal(await confirm.isDisabled(), true);
  await page
    .getByRole("dialog")
    .getByLabel(`Type ${app} to confirm`)
    .fill(app + "x");
  assert.equal(await confirm.isDisabled(), true);
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();

  // the admin pages: users and the audit log, which has the browser's changes under the user's name
  await page.getByRole("link", { name: "Users" }).click();
  await page.getByRole("cell", { name: "vic@example.com", exact: true }).waitFor();
  await shot(page, "10-users");
  await page.getByRole("link", { name: "Audit log" }).click();
  await page
    .locator("tr", { hasText: `PATCH /api/v1/apps/${app}/config` })
    .getByText("ana@example.com")
    .waitFor();
  await shot(page, "11-audit");

  // the phone layout
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto(`${s.url}/#/apps/${app}`);
  await page.getByText("1 / 1").waitFor({ timeout: 30_000 });
  await shot(page, "09-app-phone");
  assert.deepEqual(consoleErrors, []);
  await page.close();
});

test("a viewer sees the app but no config values, no deploy form, no rollback; the server refuses them anyway", async () => {
  // the rollback above restored v1's config (Heroku's rule): set a value again, without a deploy
  assert.equal(
    (await s.api("PATCH", `/apps/${app}/config`, { set: { GREETING: SECRET }, restart: false })).status,
    200,
  );
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  // with the keyboard only: the email field has focus order first, Enter submits
  await page.goto(s.url + "/");
  await page.getByLabel("Email").waitFor();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "email");
  await page.keyboard.type("vic@example.com");
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Apps", level: 1 }).waitFor();
  await page.getByRole("link", { name: app, exact: true }).click();
  await page.getByRole("heading", { name: "Processes" }).waitFor();
  assert.equal(await page.getByRole("button", { name: /Scale|Restart all/ }).count(), 0);
  await page.getByRole("link", { name: "Deploys" }).click();
  await page.getByRole("heading", { name: "Deploys", exact: true }).waitFor();
  assert.equal(await page.getByLabel("Source archive").count(), 0, "no deploy form");
  await page.getByRole("link", { name: "Config vars" }).click();
  await page.getByText("hidden from the viewer role").waitFor();
  assert.equal(await page.getByRole("button", { name: /Reveal|Unset/ }).count(), 0);
  assert.equal(await page.getByText(SECRET).count(), 0);
  await shot(page, "12-viewer-config");
  await page.getByRole("link", { name: "Releases" }).click();
  await page.getByText("Rollback to v1").waitFor();
  assert.equal(await page.getByRole("button", { name: /Roll back/ }).count(), 0);
  // the page hides what the role cannot do; the server refuses it regardless (with the session's own CSRF token)
  const refused = await page.evaluate(async (name) => {
    const me = await (await fetch("/api/v1/me")).json();
    const r = await fetch(`/api/v1/apps/${name}/rollback`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": me.csrf },
      body: "{}",
    });
    return r.status;
  }, app);
  assert.equal(refused, 403);
  // admin pages are not offered, and not served
  assert.equal(await page.getByRole("link", { name: "Users" }).count(), 0);
  await page.close();
});

test("a running canary shows on the overview with its step, split and figures; Promote on the page finishes it", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await logIn(page, "ana@example.com");
  // a long step, so that only the page's Promote can end it within the test
  assert.equal(
    (await s.api("PATCH", `/apps/${app}/deploy-settings`, { strategy: "canary", steps: [50, 100], stepSec: 600 }))
      .status,
    200,
  );
  const change = await s.api("PATCH", `/apps/${app}/config`, { set: { CANARY: "1" } });
  assert.equal(change.status, 200, JSON.stringify(change.body));
  const deployId: number = change.body.deploy.id;
  await page.goto(`${s.url}/#/apps/${app}`);
  const panel = page.locator("section", { has: page.getByRole("heading", { name: /^Canary v\d+ against v\d+/ }) });
  await panel.getByText("1 of 2 (50, 100 %)").waitFor({ timeout: 90_000 });
  await panel.getByText(/^v\d+ 50 %, v\d+ 50 %$/).waitFor();
  await panel.getByRole("cell", { name: /\(new\)/ }).waitFor();
  for (let i = 0; i < 20; i++) assert.equal((await getVia(s.httpPort, `${app}.${s.domain}`)).status, 200);
  await page.getByRole("heading", { name: "Traffic, last 5 minutes" }).waitFor();
  await shot(page, "13-canary");
  assert.deepEqual(await unlabelled(page), []);
  await panel.getByRole("button", { name: "Promote to 100 %" }).click();
  const d = await s.waitDeploy(app, deployId);
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  await panel.getByText("succeeded", { exact: true }).waitFor({ timeout: 30_000 });
  assert.equal(
    await panel.getByRole("button", { name: /Promote|Pause|Abort/ }).count(),
    0,
    "no controls once it is over",
  );
  assert.deepEqual(pageErrors, []);
  await page.close();
});
