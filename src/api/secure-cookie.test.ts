import { test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { isHttps } from "./routes/accounts.js";

test("session cookies are Secure when the UI is reached over HTTPS, directly or through the router's HTTPS listener", async () => {
  const app = new Hono();
  app.get("/", (c) => c.text(String(isHttps(c))));
  assert.equal(await (await app.request("http://x/")).text(), "false");
  assert.equal(await (await app.request("https://x/")).text(), "true");
  assert.equal(await (await app.request("http://x/", { headers: { "x-forwarded-proto": "https" } })).text(), "true");
  assert.equal(await (await app.request("http://x/", { headers: { "x-forwarded-proto": "http" } })).text(), "false");
});
