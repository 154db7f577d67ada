import { test } from "node:test";
import assert from "node:assert/strict";
import { isBlank, plainLine } from "./terminal-text.js";

test("colour, cursor and title escapes are dropped; the text stays", () => {
  assert.equal(plainLine("\x1b[32m✓\x1b[0m built \x1b[1;31mfast\x1b[m"), "✓ built fast");
  assert.equal(plainLine("\x1b]0;npm install\x07added 1 package"), "added 1 package");
  assert.equal(plainLine("\x1b[2K\x1b[1Gdone"), "done");
  assert.equal(plainLine("a\tb\x08c\x00"), "a\tbc");
});

test("a line redrawn with carriage returns keeps what it showed last", () => {
  assert.equal(plainLine("10%\r50%\r100%"), "100%");
  assert.equal(plainLine("100%\r\x1b[K"), "100%");
  assert.equal(plainLine("done\r\n"), "done");
});

test("blank and whitespace-only lines (the builder's spacing) are blank", () => {
  for (const l of ["", "       ", "\x1b[0m", " \r ", "\t"]) assert.equal(isBlank(l), true, JSON.stringify(l));
  assert.equal(isBlank(" ---> abc"), false);
});
