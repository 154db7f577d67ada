import { test } from "node:test";
import assert from "node:assert/strict";
import { validateAppName, validateHostname } from "./names.js";
import { AppError } from "../errors/app-error.js";

test("app names are lowercase DNS labels of 1 to 30 characters", () => {
  for (const ok of ["a", "my-app", "app2", "x".repeat(30)]) assert.equal(validateAppName(ok), ok);
  for (const bad of ["", "A", "my_app", "-app", "app-", "1app", "x".repeat(31), "a b", "../x", "app;rm", 42, null]) {
    assert.throws(
      () => validateAppName(bad),
      (e: unknown) => e instanceof AppError && e.code === "invalid_name" && /DNS label/.test(e.message),
    );
  }
});

test("hostnames are lowercased DNS names", () => {
  assert.equal(validateHostname("WWW.Example.com"), "www.example.com");
  for (const bad of ["", "a..b", "-a.com", "a_b.com", "a.com:80", "a com", "x".repeat(64) + ".com", "a.com\nb"]) {
    assert.throws(
      () => validateHostname(bad),
      (e: unknown) => e instanceof AppError && e.code === "invalid_domain",
    );
  }
});
