import { test } from "node:test";
import assert from "node:assert/strict";
import { tokenFromHeader } from "./auth.js";

test("tokens come from Bearer or from Basic auth's password", () => {
  assert.equal(tokenFromHeader("Bearer abc"), "abc");
  assert.equal(tokenFromHeader("Basic " + Buffer.from("git:secret").toString("base64")), "secret");
  assert.equal(tokenFromHeader("Token abc"), null);
  assert.equal(tokenFromHeader(undefined), null);
});
