import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CODES } from "./codes.js";
import { AppError } from "./app-error.js";

const docs = readFileSync(fileURLToPath(new URL("../../../docs/errors.md", import.meta.url)), "utf8");

test("every error code is documented in docs/errors.md with its status", () => {
  for (const [code, { status }] of Object.entries(CODES)) {
    assert.match(
      docs,
      new RegExp(`\\| \`${code}\` \\| ${status} \\|`),
      `docs/errors.md lacks a row for ${code} (${status})`,
    );
  }
});

test("an AppError carries code, status, message and the catalogue's hint", () => {
  const e = new AppError("not_found", "no app named x");
  assert.deepEqual(e.toJSON(), { code: "not_found", message: "no app named x", hint: CODES.not_found.hint });
  assert.equal(e.status, 404);
});
