import { test } from "node:test";
import assert from "node:assert/strict";
import { baseSlug, branchSlug, MAX_SLUG, reviewAppName } from "./slug.js";
import { validateAppName, validateHostname } from "../domain/names.js";

const label = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

test("slugs are lowercase DNS labels", () => {
  assert.equal(branchSlug("Feature/Login_Form"), "feature-login-form");
  assert.equal(branchSlug("main;touch x"), "main-touch-x");
  assert.equal(branchSlug("$(id)"), "id");
  assert.equal(baseSlug("--upload-pack=/tmp/x"), "upload-pack-tmp-x");
  for (const b of ["ümlaut-ß", "日本語", "---", "a".repeat(300), "x/".repeat(100) + "y", "$(id)", "`reboot`"]) {
    const s = branchSlug(b);
    assert.match(s, label, b);
    assert.ok(s.length <= MAX_SLUG, `${s} is too long`);
    validateHostname(`${s}.app.example.com`);
  }
  assert.match(branchSlug("日本語"), /^[0-9a-f]{6}$/, "nothing left: the hash alone");
  assert.equal(branchSlug("Ünïcode-Façade"), "unicode-facade");
  assert.equal(branchSlug("機能/ünï"), "uni");
  assert.match(branchSlug("a".repeat(300)), /^a{33}-[0-9a-f]{6}$/);
  assert.notEqual(branchSlug("a".repeat(300)), branchSlug("a".repeat(299)), "two long branches differ by their hash");
});

test("two branches on one slug: the second gets a hash suffix; a branch keeps its slug", () => {
  const taken = new Map([["feature-a", "feature/a"]]);
  const second = branchSlug("feature_a", taken);
  assert.match(second, /^feature-a-[0-9a-f]{6}$/);
  assert.equal(branchSlug("feature/a", taken), "feature-a", "the first keeps it");
  taken.set(second, "feature_a");
  assert.equal(branchSlug("feature_a", taken), second, "stable across pushes");
  const third = branchSlug("Feature-A", taken);
  assert.ok(!taken.has(third));
  assert.match(third, label);
});

test("review app names are valid app names of at most 30 characters", () => {
  assert.equal(reviewAppName("web", "feature-a"), "web-feature-a");
  const long = reviewAppName("storefront-api", "a-very-long-feature-branch-name");
  assert.equal(long.length, 30);
  validateAppName(long);
  assert.notEqual(
    reviewAppName("storefront-api", "a-very-long-feature-branch-name"),
    reviewAppName("storefront-api", "a-very-long-feature-branch-nama"),
  );
  validateAppName(reviewAppName("s", "1abc"));
});
