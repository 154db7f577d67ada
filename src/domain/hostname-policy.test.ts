import { test } from "node:test";
import assert from "node:assert/strict";
import { isAppError } from "../errors/app-error.js";
import { checkHostnameScope, hostOf, type HostnameScope } from "./hostname-policy.js";
import { checkQuota } from "./quotas.js";

const scope: HostnameScope = { app: "web", parent: null, domain: "apps.example.com", reserved: ["api.example.com"] };
const refused = (h: string, code: string, s: HostnameScope = scope) =>
  assert.throws(
    () => checkHostnameScope(h, s),
    (e: unknown) => isAppError(e) && e.code === code,
    h,
  );

test("names under the platform's domain are the app's whose name they carry", () => {
  checkHostnameScope("www.web.apps.example.com", scope);
  checkHostnameScope("a.b.web.apps.example.com", scope);
  refused("x.api.apps.example.com", "domain_taken");
  refused("future.apps.example.com", "domain_taken");
  refused("web.apps.example.com.evil.apps.example.com", "domain_taken");
  // a review app shares its parent's names
  checkHostnameScope("feat-x.web.apps.example.com", { ...scope, app: "web-feat-x", parent: "web" });
  refused("feat-x.api.apps.example.com", "domain_taken", { ...scope, app: "web-feat-x", parent: "web" });
});

test("localhost, IP literals, the platform's domain and the server's own names are never an app's", () => {
  for (const h of [
    "localhost",
    "a.localhost",
    "127.0.0.1",
    "10.1.2.3",
    "2130706433",
    "apps.example.com",
    "api.example.com",
  ])
    refused(h, "invalid_domain");
  checkHostnameScope("www.example.com", scope);
  checkHostnameScope("1.example.com", scope);
  // with the platform on localhost (the default), x.localhost follows the app rule
  checkHostnameScope("x.web.localhost", { ...scope, domain: "localhost" });
  refused("x.api.localhost", "domain_taken", { ...scope, domain: "localhost" });
  refused("localhost", "invalid_domain", { ...scope, domain: "localhost" });
});

test("hostOf reads URLs and listen addresses", () => {
  assert.equal(hostOf("https://YK.example.com:8443/x"), "yk.example.com");
  assert.equal(hostOf("127.0.0.1:7700"), "127.0.0.1");
  assert.equal(hostOf(undefined), null);
});

test("quotas: a clear error naming the setting", () => {
  checkQuota("domains", "web", 3, 3);
  assert.throws(
    () => checkQuota("domains", "web", 4, 3),
    (e: unknown) =>
      isAppError(e) &&
      e.code === "quota_exceeded" &&
      /web would have 4 domains; .* at most 3 \(YADOKARI_MAX_DOMAINS\)/.test(e.message),
  );
});
