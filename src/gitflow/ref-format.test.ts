import { test } from "node:test";
import assert from "node:assert/strict";
import { branchOfRef, branchProblem, refFormatProblem, validateBranch } from "./ref-format.js";

test("refFormatProblem follows git check-ref-format", () => {
  for (const ok of [
    "refs/heads/main",
    "refs/heads/feature/x-1",
    "refs/heads/main;touch x".replace(" ", "_"),
    "refs/heads/$(id)",
    "refs/heads/ümlaut",
    "refs/tags/v1.2",
  ]) {
    assert.equal(refFormatProblem(ok), null, ok);
  }
  const bad: [string, RegExp][] = [
    ["", /empty/],
    ["@", /'@'/],
    ["main", /no '\/'/],
    ["/refs/heads/x", /begins or ends/],
    ["refs/heads/x/", /begins or ends/],
    ["refs//heads", /consecutive/],
    ["refs/heads/x.", /ends with '.'/],
    ["refs/heads/a..b", /'\.\.'/],
    ["refs/heads/a@{1}", /'@\{'/],
    ["refs/heads/a b", /space/],
    ["refs/heads/a\tb", /control/],
    ["refs/heads/a\x7fb", /control/],
    ["refs/heads/a~1", /'~'/],
    ["refs/heads/a^", /'\^'/],
    ["refs/heads/a:b", /':'/],
    ["refs/heads/a?", /'\?'/],
    ["refs/heads/a*", /'\*'/],
    ["refs/heads/a[b", /'\['/],
    ["refs/heads/a\\b", /'\\'/],
    ["refs/heads/.hidden", /begins with '\.'/],
    ["refs/heads/x.lock", /\.lock/],
    ["refs/heads/x.lock/y", /\.lock/],
  ];
  for (const [ref, why] of bad) assert.match(refFormatProblem(ref) ?? "valid", why, JSON.stringify(ref));
});

test("branch names: no leading '-', bounded length, HEAD refused", () => {
  assert.match(branchProblem("--upload-pack=touch /tmp/x") ?? "", /begins with '-'/);
  assert.match(branchProblem("a".repeat(300)) ?? "", /longer than 255/);
  assert.match(branchProblem("é".repeat(128)) ?? "", /longer than 255/, "bytes, not characters");
  assert.match(branchProblem("HEAD") ?? "", /HEAD/);
  assert.match(branchProblem(42) ?? "", /non-empty string/);
  assert.equal(branchProblem("main;touch x"), "it contains a space or a control character");
  assert.equal(branchProblem("main;touch_x"), null);
  assert.equal(validateBranch("feature/login"), "feature/login");
  assert.throws(
    () => validateBranch("a..b"),
    (e: any) => e.code === "invalid_ref",
  );
});

test("branchOfRef takes branches only", () => {
  assert.equal(branchOfRef("refs/heads/feat/a"), "feat/a");
  assert.equal(branchOfRef("refs/tags/v1"), null);
  assert.equal(branchOfRef(7), null);
  assert.throws(
    () => branchOfRef("refs/heads/-x"),
    (e: any) => e.code === "invalid_ref",
  );
});

test("invisible and text-direction characters are refused in branch names; other Unicode is data", () => {
  for (const b of ["web\u200b", "\u202eweb", "a\u2066b", "x\ufeff"]) assert.ok(branchProblem(b), JSON.stringify(b));
  for (const b of ["wеb", "ｗｅｂ", "機能/ブランチ", "<script>"]) assert.equal(branchProblem(b), null, b);
});
