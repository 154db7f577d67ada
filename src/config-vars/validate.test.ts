import { test } from "node:test";
import assert from "node:assert/strict";
import { isAppError } from "../errors/app-error.js";
import {
  describeChange,
  keyProblem,
  parseAssignments,
  parseConfigChange,
  validateTotal,
  valueProblem,
  MAX_VALUE_BYTES,
} from "./validate.js";

const refused = (pattern: RegExp) => (e: unknown) =>
  isAppError(e) && e.code === "invalid_request" && e.status === 400 && pattern.test(e.message) && e.hint.length > 0;

test("keys follow POSIX environment variable rules, at most 255 characters", () => {
  for (const ok of ["A", "_", "DATABASE_URL", "a1_b2", "_private", "x".repeat(255), "__proto__", "port", "yadokari_x"])
    assert.equal(keyProblem(ok), null, ok);
  for (const bad of ["", "1ABC", "A-B", "A;rm", "../x", "A B", "A\nB", "A=B", "É", "x".repeat(256), "$(id)", "A\0"])
    assert.ok(keyProblem(bad), JSON.stringify(bad));
  assert.ok(keyProblem(42));
  assert.match(keyProblem("A\nB")!.message, /"A\\nB"/, "control characters are escaped in the message");
});

test("PORT and YADOKARI_* are refused with a message saying Yadokari sets them", () => {
  assert.match(keyProblem("PORT")!.message, /Yadokari sets it/);
  assert.match(keyProblem("YADOKARI_RELEASE")!.message, /reserved/);
  assert.match(keyProblem("YADOKARI_")!.message, /reserved/);
});

test("values: any UTF-8 text with newlines and '=', no NUL, at most 64 KiB; messages never hold the value", () => {
  for (const ok of ["", "s3cr3t", "a=b=c", "line1\nline2\r\n", "日本語 🦀", "'\"$`\\;|&", "x".repeat(MAX_VALUE_BYTES)])
    assert.equal(valueProblem("K", ok), null);
  const secret = "hunter2-secret";
  for (const bad of [`${secret}\0`, `${secret}\uD800`, secret + "é".repeat(MAX_VALUE_BYTES / 2)]) {
    const p = valueProblem("K", bad);
    assert.ok(p);
    assert.doesNotMatch(p.message + p.hint, /hunter2/);
  }
  assert.match(valueProblem("K", 3)!.message, /must be a string/);
});

test("a PATCH body: set, unset and restart (default true), checked field by field", () => {
  assert.deepEqual(parseConfigChange({ set: { FOO: "1", BAR: "a=b" } }), {
    set: [
      ["FOO", "1"],
      ["BAR", "a=b"],
    ],
    unset: [],
    restart: true,
  });
  assert.deepEqual(parseConfigChange({ unset: ["FOO", "FOO"], restart: false }), {
    set: [],
    unset: ["FOO"],
    restart: false,
  });
  assert.deepEqual(parseConfigChange(JSON.parse('{"set": {"__proto__": "x"}}')).set, [["__proto__", "x"]]);
  assert.throws(() => parseConfigChange({}), refused(/sets and unsets nothing/));
  assert.throws(() => parseConfigChange({ set: {}, unset: [] }), refused(/nothing/));
  assert.throws(() => parseConfigChange({ vars: { A: "1" } }), refused(/unknown field "vars"/));
  assert.throws(() => parseConfigChange({ set: [["A", "1"]] }), refused(/set must be an object/));
  assert.throws(() => parseConfigChange({ set: { A: "1" }, unset: "A" }), refused(/unset must be an array/));
  assert.throws(() => parseConfigChange({ set: { A: "1" }, restart: "no" }), refused(/restart must be/));
  assert.throws(() => parseConfigChange({ set: { "A;rm": "1" } }), refused(/invalid config var name "A;rm"/));
  assert.throws(() => parseConfigChange({ set: { PORT: "1" } }), refused(/PORT cannot be a config var/));
  assert.throws(() => parseConfigChange({ unset: ["../x"] }), refused(/invalid config var name/));
  assert.throws(() => parseConfigChange({ set: { A: 1 } }), refused(/value of A must be a string/));
  assert.throws(() => parseConfigChange({ set: { A: "1" }, unset: ["A"] }), refused(/both set and unset/));
});

test("the whole config must fit in a container's environment", () => {
  const big = "x".repeat(MAX_VALUE_BYTES);
  validateTotal(Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`K${i}`, big])));
  assert.throws(
    () => validateTotal(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`K${i}`, big]))),
    refused(/1 MiB/),
  );
});

test("release descriptions name the keys only", () => {
  assert.equal(describeChange(["FOO", "BAR"], []), "Set FOO, BAR");
  assert.equal(describeChange([], ["FOO"]), "Unset FOO");
  assert.equal(describeChange(["FOO"], ["BAR", "BAZ"]), "Set FOO; unset BAR, BAZ");
});

test("CLI KEY=value arguments split at the first '='; KEY= is empty; later ones win", () => {
  assert.deepEqual(parseAssignments(["A=1", "B=x=y==", "C=", "D=line1\nline2", "A=2"]), [
    ["A", "2"],
    ["B", "x=y=="],
    ["C", ""],
    ["D", "line1\nline2"],
  ]);
  assert.deepEqual(parseAssignments([]), []);
});

test("CLI arguments: a missing '=' gets a hint, and an argument that is not a name is never echoed", () => {
  assert.throws(
    () => parseAssignments(["FOO"]),
    (e: unknown) => isAppError(e) && /FOO has no value/.test(e.message) && /FOO=value/.test(e.hint),
  );
  assert.throws(
    () => parseAssignments(["A=1", "sk_live_secret/with.dots"]),
    (e: unknown) => isAppError(e) && e.message === "argument 2 is not KEY=value" && !/sk_live/.test(e.hint),
  );
  assert.throws(() => parseAssignments(["=value"]), refused(/argument 1 has no name before '='/));
  assert.throws(() => parseAssignments(["A;rm=x"]), refused(/invalid config var name "A;rm"/));
  assert.throws(() => parseAssignments(["PORT=80"]), refused(/PORT cannot be a config var/));
});
