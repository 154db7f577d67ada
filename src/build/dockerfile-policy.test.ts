import { test } from "node:test";
import assert from "node:assert/strict";
import { isAppError } from "../errors/app-error.js";
import { parseBaseImages, checkDockerfile, type BuildPolicy } from "./dockerfile-policy.js";
import { parseDockerfile, expandVars } from "./dockerfile-parse.js";

const policy: BuildPolicy = { app: "web", baseImages: parseBaseImages("acme/*, debian")! };
const FROM = "FROM yadokari-local/node:20\n";

const refused = (df: string, pattern: RegExp) =>
  assert.throws(
    () => checkDockerfile(df, policy),
    (e: unknown) => isAppError(e) && e.code === "dockerfile_refused" && e.status === 422 && pattern.test(e.message),
    df,
  );
const accepted = (df: string) => assert.doesNotThrow(() => checkDockerfile(df, policy), df);

test("the parser joins continuations, skips comments and blank lines inside them, honours # escape=", () => {
  const p = parseDockerfile("FROM a\n# c\nRUN a \\\n  # inner comment\n\n  b\nLABEL x=1");
  assert.deepEqual(
    p.instructions.map((i) => [i.keyword, i.args, i.line]),
    [
      ["FROM", "a", 1],
      ["RUN", "a   b", 3],
      ["LABEL", "x=1", 7],
    ],
  );
  const b = parseDockerfile("# escape=`\nFROM a\nlabel x=1 `\n y=2\n");
  assert.equal(b.escape, "`");
  assert.deepEqual(b.instructions[1], { keyword: "LABEL", args: "x=1  y=2", line: 3 });
  // a directive after an instruction is a comment
  assert.equal(parseDockerfile("FROM a\n# escape=`\nRUN x `\n").escape, "\\");
});

test("variables expand as the builder does for FROM", () => {
  const vars = new Map([["V", "20"]]);
  assert.equal(expandVars("n:$V", vars, "\\"), "n:20");
  assert.equal(expandVars("n:${V}-x", vars, "\\"), "n:20-x");
  assert.equal(expandVars("n:${W:-1}", vars, "\\"), "n:1");
  assert.equal(expandVars("n:${V:+set}", vars, "\\"), "n:set");
  assert.equal(expandVars("n:$W", vars, "\\"), "n:");
  assert.equal(expandVars("n:\\$V", vars, "\\"), "n:$V");
});

test("LABEL keys mentioning yadokari are refused in every spelling; values may mention it", () => {
  for (const l of [
    "LABEL yadokari.app=b yadokari.process=web",
    "LABEL yadokari.process web",
    'LABEL "yadokari.process"="web"',
    "LABEL 'yadokari.process'=web",
    "LABEL YADOKARI.PROCESS=web",
    "LABEL a=1 \\\n yadokari.release=v1",
    "LABEL yadok\\ari.process=web",
    'LABEL "yado"kari.process=web',
    "label yadokari.kind=web",
  ])
    refused(FROM + l + "\n", /label .*yadokari/i);
  refused(FROM + "ARG K=yadokari.process\nLABEL $K=web\n", /variable/);
  refused(FROM + 'LABEL "${K}"=web\n', /variable/);
  refused("# escape=`\n" + FROM + "LABEL a=1 `\n yadokari.process=web\n", /yadokari/);
  accepted(FROM + 'LABEL description="built for yadokari" version=$V maintainer=me\n');
  accepted(FROM + "LABEL org.opencontainers.image.source=https://example.com/x\n");
});

test("ADD of a URL or of a variable is refused in every form; local ADD and COPY are not", () => {
  for (const a of [
    "ADD http://127.0.0.1:7700/api/v1/apps /x",
    "ADD https://example.com/a.tgz /x",
    'ADD ["http://127.0.0.1/x", "/x"]',
    'ADD --chown=1:1 ["http://127.0.0.1/x", "/x"]',
    "ADD --chown=1:1 http://127.0.0.1/x /x",
    "ADD HTTP://127.0.0.1/x /x",
    'ADD "http"://127.0.0.1/x /x',
    "ADD http:\\/\\/127.0.0.1/x /x",
    "ADD local.txt http://127.0.0.1/x /dir/",
    "ADD git@github.com:a/b.git /x",
  ])
    refused(FROM + a + "\n", /ADD.*URL/);
  refused(FROM + "ARG U=http://127.0.0.1/\nADD $U /x\n", /ADD.*variable/);
  refused(FROM + "ADD ${U} /x\n", /ADD.*variable/);
  accepted(FROM + "ADD app.tgz /app/\nADD --chown=1:1 a b /dest/\nADD src $HOME/\nCOPY . /app\n");
});

test("FROM and COPY --from: the app's own images, approved bases and earlier stages only", () => {
  for (const f of [
    "FROM yadokari/other:abc\n",
    "FROM yadokari/other\n",
    "FROM --platform=linux/amd64 yadokari/other:1 AS x\n",
    "ARG B=yadokari/other:1\nFROM $B\n",
    "ARG B=other\nFROM yadokari/${B}:1\n",
    "FROM docker.io/yadokari-local/node:20\n",
    "FROM localhost:5000/x\n",
    "FROM yadokari-local/node@sha256:" + "a".repeat(64) + "\n",
    "FROM 0d5fa27ef40e\n",
    "FROM sha256:" + "a".repeat(64) + "\n",
    "FROM ubuntu:22.04\n",
    "FROM acme\n",
    "FROM Yadokari-Local/node:20\n",
    "FROM $NOTHING\n",
    FROM + "COPY --from=yadokari/other:1 /app /b\n",
    FROM + "COPY --from=busybox /bin /b\n",
    FROM + "COPY --from=1 /bin /b\n", // stage 1 does not exist yet
    FROM + "COPY --from=$S /bin /b\n",
  ])
    refused(f, /FROM|--from|trigger/);
  accepted("FROM yadokari/web:abc\n");
  accepted("FROM yadokari/web\n");
  accepted("FROM scratch\nCOPY . /\n");
  accepted("FROM acme/base:1\nFROM debian:12\nFROM debian\n");
  accepted(
    "ARG V=20\nFROM yadokari-local/node:${V} AS Build\nFROM build\nCOPY --from=BUILD /a /a\nCOPY --from=0 /a /b\n",
  );
  accepted("FROM --platform=$BUILDPLATFORM yadokari-local/busybox:1\n");
});

test("ONBUILD is refused, whatever its trigger", () => {
  for (const o of ["ONBUILD LABEL yadokari.process=web", "onbuild RUN true", "ONBUILD ADD http://127.0.0.1/x /x"])
    refused(FROM + o + "\n", /ONBUILD is refused/);
});

test("YADOKARI_BUILD_BASE_IMAGES adds repositories and namespaces; it cannot approve yadokari/*", () => {
  assert.deepEqual(parseBaseImages(""), ["yadokari-local/*"]);
  assert.deepEqual(parseBaseImages("acme/*,  debian yadokari-local/*"), ["yadokari-local/*", "acme/*", "debian"]);
  // a setting the server would misread is refused at start (src/main/settings.ts), not quietly trimmed
  for (const bad of ["yadokari/*", "yadokari/web", "../x", "acme/*/x", "Debian", "debian:12"])
    assert.equal(parseBaseImages(`debian ${bad}`), undefined, bad);
});
