import { test } from "node:test";
import assert from "node:assert/strict";
import { mergeByTime, splitStamp } from "./log-merge.js";

test("lines of several containers merge in time order, the last N kept", () => {
  const merged = mergeByTime(
    [
      { source: "web.a", lines: ["2026-01-01T00:00:01.5Z one", "2026-01-01T00:00:03.000000001Z three"] },
      { source: "worker.b", lines: ["2026-01-01T00:00:02.25Z two", "2026-01-01T00:00:04Z four"] },
    ],
    3,
  );
  assert.deepEqual(merged, [
    "2026-01-01T00:00:02.25Z worker.b | two",
    "2026-01-01T00:00:03.000Z web.a | three",
    "2026-01-01T00:00:04Z worker.b | four",
  ]);
});

test("a line without a timestamp is kept as it is", () => {
  assert.deepEqual(splitStamp("plain"), { at: "", text: "plain" });
});
