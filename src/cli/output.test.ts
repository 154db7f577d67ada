import { test } from "node:test";
import assert from "node:assert/strict";
import { relativeTime, renderFields, renderJson, renderTable } from "./output.js";

test("renderTable aligns columns to the widest cell, no trailing spaces", () => {
  const out = renderTable(
    ["name", "status", "url"],
    [
      ["web", "running", "http://web.localhost"],
      ["a-much-longer-name", "new", ""],
    ],
  );
  assert.equal(
    out,
    [
      "NAME                STATUS   URL",
      "web                 running  http://web.localhost",
      "a-much-longer-name  new",
      "",
    ].join("\n"),
  );
});

test("renderTable keeps a row on one line and tolerates short rows", () => {
  assert.equal(renderTable(["a", "b"], [["x\ny"]]), "A    B\nx y\n");
});

test("renderFields aligns values", () => {
  assert.equal(
    renderFields([
      ["Name", "web"],
      ["Web replicas", "2"],
    ]),
    "Name:          web\nWeb replicas:  2\n",
  );
});

test("renderJson is pretty JSON with a final newline", () => {
  assert.equal(renderJson([{ a: 1 }]), '[\n  {\n    "a": 1\n  }\n]\n');
});

test("relativeTime", () => {
  const now = new Date("2024-05-10T12:00:00Z");
  const ago = (s: number) => new Date(now.getTime() - s * 1000).toISOString();
  assert.equal(relativeTime(ago(0), now), "just now");
  assert.equal(relativeTime(ago(-3), now), "just now"); // clock skew
  assert.equal(relativeTime(ago(42), now), "42s ago");
  assert.equal(relativeTime(ago(5 * 60 + 10), now), "5m ago");
  assert.equal(relativeTime(ago(3 * 3600), now), "3h ago");
  assert.equal(relativeTime(ago(2 * 86400 + 100), now), "2d ago");
  assert.equal(relativeTime(ago(-7200), now), "in 2h");
  assert.equal(relativeTime("2024-01-02T03:04:05Z", now), "2024-01-02");
  assert.equal(relativeTime(null, now), "-");
  assert.equal(relativeTime("not a date", now), "not a date");
});
