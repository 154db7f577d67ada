import { test } from "node:test";
import assert from "node:assert/strict";
import { isAppError } from "../errors/app-error.js";
import { argvProblem, isRunId, parseRunRequest, parseSize } from "./validate.js";

const rejects = (body: Record<string, unknown>, pattern: RegExp) =>
  assert.throws(
    () => parseRunRequest(body),
    (e: unknown) => isAppError(e) && e.code === "invalid_request" && pattern.test(e.message),
    JSON.stringify(body).slice(0, 80),
  );

test("a run request is an argv array, kept exactly as sent", () => {
  const hostile = ["sh", "-c", "echo '; touch /tmp/pwned' $(id) `id` && rm -rf / \n"];
  assert.deepEqual(parseRunRequest({ command: hostile }), { command: hostile, tty: false, detach: false });
  assert.deepEqual(parseRunRequest({ command: ["ls"], tty: true }), { command: ["ls"], tty: true, detach: false });
  // a detached run never gets a TTY: nobody is at it
  assert.deepEqual(parseRunRequest({ command: ["ls"], tty: true, detach: true }), {
    command: ["ls"],
    tty: false,
    detach: true,
  });
});

test("bad commands and flags are refused with the field", () => {
  rejects({}, /^command: must be an array/);
  rejects({ command: "ls -la" }, /^command: must be an array/);
  rejects({ command: [] }, /1 to 256 arguments, not 0/);
  rejects({ command: Array(257).fill("a") }, /not 257/);
  rejects({ command: ["ls", 3] }, /^command\[1\]: must be a string/);
  rejects({ command: ["ls", "a\u0000b"] }, /^command\[1\]: contains a NUL byte/);
  rejects({ command: ["echo", "x".repeat(64 * 1024 + 1)] }, /^command\[1\]: is longer than 64 KiB/);
  rejects({ command: [""] }, /program name is empty/);
  rejects({ command: ["ls"], tty: "yes" }, /^tty: must be true or false/);
  rejects({ command: ["ls"], detach: 1 }, /^detach: must be true or false/);
  assert.equal(argvProblem(["echo", "é".repeat(32 * 1024)]), null); // 64 KiB in UTF-8 exactly
});

test("terminal sizes and run ids", () => {
  assert.deepEqual(parseSize("24", "80"), { rows: 24, cols: 80 });
  assert.deepEqual(parseSize(50, 200), { rows: 50, cols: 200 });
  for (const [r, c] of [
    ["0", "80"],
    ["24", "1001"],
    ["2.5", "80"],
    ["", "80"],
    [null, "80"],
    ["24", "8e1"],
  ])
    assert.equal(parseSize(r, c), null, `${r}x${c}`);
  assert.ok(isRunId("a".repeat(64)));
  assert.ok(!isRunId("yk-web-run-v1-abc"));
  assert.ok(!isRunId("../../containers/x"));
});
