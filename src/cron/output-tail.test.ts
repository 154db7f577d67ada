import { test } from "node:test";
import assert from "node:assert/strict";
import { OutputTail } from "./output-tail.js";

test("keeps the last lines, at most maxLines and maxBytes", () => {
  const t = new OutputTail(3, 1000);
  assert.equal(t.text(), "");
  for (const l of ["a", "b", "c", "d"]) t.push(l);
  assert.equal(t.text(), "b\nc\nd\n");
  const small = new OutputTail(100, 10);
  for (const l of ["1234", "5678", "9abc"]) small.push(l);
  assert.equal(small.text(), "5678\n9abc\n");
});

test("one huge line keeps its start, within the byte cap", () => {
  const t = new OutputTail(10, 100);
  t.push("x".repeat(1000));
  assert.ok(Buffer.byteLength(t.text()) <= 101);
  assert.match(t.text(), /^x+ …\[truncated\]\n$/);
});
