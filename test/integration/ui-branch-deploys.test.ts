import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { TestServer, FIXTURES, uniqueApp } from "../helpers/yadokari.js";
import { launchChromium, screenshotDir } from "../helpers/browser.js";
import { waitFor } from "../helpers/http.js";

/**
 * The UI side of issue 15's phase 2: deploys shown by their number in the app (#1, #2, … with who started
 * them), and the app's branch set from the git page. Screenshots at 1280 and 390 px go to
 * test-artifacts/ui-branch-deploys/ (git-ignored): look at them.
 */
let s: TestServer;
let browser: Browser;
const app = uniqueApp("it-uibd");
const other = uniqueApp("it-uibd2");
const PASSWORD = `pw-${randomBytes(9).toString("base64url")}`;
const shots = screenshotDir("ui-branch-deploys");

before(async () => {
  s = await TestServer.start({ https: false });
  await s.createApp(app);
  await s.createApp(other);
  // the other app's deploy comes first: the API's ids and the app's numbers differ
  assert.equal((await s.deploy(other, join(FIXTURES, "good"))).status, "succeeded");
  assert.equal((await s.deploy(app, join(FIXTURES, "good"))).status, "succeeded");
  assert.equal((await s.deploy(app, join(FIXTURES, "procfile"))).status, "succeeded");
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

/** Controls outside the viewport and cards that scroll sideways (as ui-pages.test.ts checks). */
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
    for (const box of document.querySelectorAll(".panel, .table-wrap")) {
      if (box.scrollWidth > box.clientWidth + 1)
        problems.push(`${box.className} scrolls sideways (${box.scrollWidth} > ${box.clientWidth})`);
    }
    return problems;
  });
}

test("the deploy list and a deploy's page name deploys by their number in the app, with who started them", async () => {
  const [latest] = (await s.api("GET", `/apps/${app}/deploys`)).body as { id: number; number: number }[];
  assert.equal(latest.number, 2);
  assert.notEqual(latest.id, 2, "the fixture makes ids and numbers differ");
  for (const width of [1280, 390]) {
    const page = await logIn(width);
    await page.goto(`${s.url}/#/apps/${app}/deploys`);
    const list = page.getByRole("table");
    await list.getByRole("link", { name: "#2", exact: true }).waitFor();
    await list.getByRole("link", { name: "#1", exact: true }).waitFor();
    assert.equal(await list.getByRole("link", { name: `#${latest.id}`, exact: true }).count(), 0);
    await list.getByText("admin").first().waitFor();
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(shots, `deploys-${width}.png`), fullPage: true });
    assert.deepEqual(await outOfView(page), [], `deploys at ${width}`);
    await list.getByRole("link", { name: "#2", exact: true }).click();
    await page.getByRole("heading", { name: /^Deploy #2/ }).waitFor();
    assert.match(page.url(), new RegExp(`/deploys/${latest.id}$`), "the link keeps the API's id");
    await page.close();
  }
});

test("the git page shows the app's branch and sets it", async () => {
  for (const width of [390, 1280]) {
    const page = await logIn(width);
    await page.goto(`${s.url}/#/apps/${app}/git`);
    const words = page.getByTestId("app-branch");
    await words.getByText("main", { exact: true }).waitFor();
    assert.match(
      (await words.textContent()) ?? "",
      /Only pushes of main deploy .+; a push of another branch is refused/,
    );
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(shots, `git-branch-${width}.png`), fullPage: true });
    assert.deepEqual(await outOfView(page), [], `git at ${width}`);
    await page.close();
  }
  const page = await logIn(1280);
  await page.goto(`${s.url}/#/apps/${app}/git`);
  await page.getByLabel("The app's branch").fill("release");
  await page.getByRole("button", { name: "Save branch" }).click();
  await page.getByTestId("app-branch").getByText("release", { exact: true }).waitFor();
  await waitFor("the branch saved", async () => (await s.api("GET", `/apps/${app}/git`)).body.branch === "release");
  // connecting a repository afterwards keeps the app's branch
  assert.equal(await page.getByLabel("Branch", { exact: true }).inputValue(), "release");
  await page.getByLabel("The app's branch").fill("a..b");
  await page.getByRole("button", { name: "Save branch" }).click();
  await page
    .getByText(/a\.\.b/)
    .first()
    .waitFor();
  assert.equal((await s.api("GET", `/apps/${app}/git`)).body.branch, "release", "a bad name changes nothing");
  await page.screenshot({ path: join(shots, `git-branch-refused-1280.png`), fullPage: true });
  await page.close();
});
