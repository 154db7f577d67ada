import { test } from "node:test";
import assert from "node:assert/strict";
import { githubSignatureValid, gitlabTokenValid, signGithub } from "./signature.js";

// GitHub's documented test vector (docs: "Validating webhook deliveries").
test("GitHub's published example signature verifies", () => {
  const body = Buffer.from("Hello, World!");
  const sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
  assert.equal(signGithub("It's a Secret to Everybody", body), sig);
  assert.ok(githubSignatureValid("It's a Secret to Everybody", body, sig));
  assert.ok(githubSignatureValid("It's a Secret to Everybody", body, sig.toUpperCase().replace("SHA256", "sha256")));
});

test("wrong, missing or malformed signatures and a changed body fail", () => {
  const body = Buffer.from('{"ref":"refs/heads/main"}');
  const good = signGithub("s3cret", body);
  assert.ok(githubSignatureValid("s3cret", body, good));
  assert.ok(!githubSignatureValid("other", body, good));
  assert.ok(
    !githubSignatureValid("s3cret", Buffer.from('{"ref":"refs/heads/main" }'), good),
    "the raw body, byte for byte",
  );
  assert.ok(!githubSignatureValid("s3cret", body, undefined));
  assert.ok(!githubSignatureValid("s3cret", body, good.replace("sha256=", "sha1=")));
  assert.ok(!githubSignatureValid("s3cret", body, good.slice(0, -2)));
  assert.ok(!githubSignatureValid("", body, signGithub("", body)), "no secret, no delivery");
});

test("GitLab tokens compare exactly", () => {
  assert.ok(gitlabTokenValid("tok-123", "tok-123"));
  assert.ok(!gitlabTokenValid("tok-123", "tok-1234"));
  assert.ok(!gitlabTokenValid("tok-123", ""));
  assert.ok(!gitlabTokenValid("tok-123", undefined));
  assert.ok(!gitlabTokenValid("", ""));
});
