import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { formatTtl, parseGithub, parseGitlab, parseTtl } from "./payload.js";

const require = createRequire(import.meta.url);
const examples = JSON.parse(readFileSync(require.resolve("@octokit/webhooks-examples"), "utf8")) as {
  name: string;
  examples: any[];
}[];
const ex = (name: string) => examples.find((e) => e.name === name)!.examples;
const buf = (o: unknown) => Buffer.from(JSON.stringify(o));

test("GitHub's example push, branch-delete and ping payloads parse", () => {
  const created = ex("push").find((e) => e.ref === "refs/heads/master")!;
  assert.deepEqual(parseGithub("push", buf(created)), {
    kind: "push",
    push: { ref: "refs/heads/master", after: created.after, deleted: false },
  });
  const deleted = ex("push").find((e) => e.deleted)!;
  assert.deepEqual(parseGithub("push", buf(deleted)), {
    kind: "push",
    push: { ref: deleted.ref, after: null, deleted: true },
  });
  assert.deepEqual(parseGithub("ping", buf(ex("ping")[0])), { kind: "ping" });
  assert.deepEqual(parseGithub("star", buf({})), { kind: "other", name: "star" });
});

test("GitHub's form-encoded deliveries carry the JSON in `payload`", () => {
  const push = { ref: "refs/heads/main", after: "b".repeat(40) };
  const form = Buffer.from(new URLSearchParams({ payload: JSON.stringify(push) }).toString());
  assert.deepEqual(parseGithub("push", form, "application/x-www-form-urlencoded"), {
    kind: "push",
    push: { ref: "refs/heads/main", after: "b".repeat(40), deleted: false },
  });
  assert.throws(
    () => parseGithub("push", Buffer.from("x=1"), "application/x-www-form-urlencoded"),
    (e: any) => e.code === "invalid_request",
  );
});

test("malformed bodies are invalid_request", () => {
  const bad = (f: () => unknown) => assert.throws(f, (e: any) => e.code === "invalid_request");
  bad(() => parseGithub("push", Buffer.from("not json")));
  bad(() => parseGithub("push", Buffer.from("[1]")));
  bad(() => parseGithub("push", buf({ ref: "refs/heads/x", after: "abc" })));
  bad(() => parseGithub("push", buf({ after: "0".repeat(40) })));
  bad(() => parseGithub(undefined, buf({})));
  bad(() => parseGitlab("Push Hook", buf({ object_kind: "tag_push", ref: "refs/tags/x", after: "1".repeat(40) })));
});

test("GitLab push events parse", () => {
  const body = { object_kind: "push", ref: "refs/heads/feat", before: "0".repeat(40), after: "a".repeat(40) };
  assert.deepEqual(parseGitlab("Push Hook", buf(body)), {
    kind: "push",
    push: { ref: "refs/heads/feat", after: "a".repeat(40), deleted: false },
  });
  assert.equal((parseGitlab("Push Hook", buf({ ...body, after: "0".repeat(40) })) as any).push.deleted, true);
  assert.deepEqual(parseGitlab("Note Hook", buf({})), { kind: "other", name: "Note Hook" });
});

test("TTLs", () => {
  assert.equal(parseTtl("7d"), 604800);
  assert.equal(parseTtl("90s"), 90);
  assert.equal(formatTtl(604800), "7d");
  assert.equal(formatTtl(90), "90s");
  for (const t of ["0s", "7", "7w", "-1d", "366d", 5])
    assert.throws(
      () => parseTtl(t),
      (e: any) => e.code === "invalid_request",
      String(t),
    );
});
