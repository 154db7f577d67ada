import { test } from "node:test";
import assert from "node:assert/strict";
import { gitTransport, parseRepoUrl, redact } from "./repo-url.js";

test("accepts https, ssh, git URLs and absolute local paths", () => {
  assert.equal(parseRepoUrl("https://github.com/acme/web.git").kind, "https");
  assert.equal(parseRepoUrl("ssh://git@example.com:2222/acme/web.git").kind, "ssh");
  assert.equal(parseRepoUrl("git://example.com/web.git").kind, "git");
  assert.equal(parseRepoUrl("/srv/git/web.git").kind, "path");
  const c = parseRepoUrl("https://bot:s3cret@git.example.com/web.git");
  assert.equal(c.url, "https://bot:s3cret@git.example.com/web.git");
  assert.equal(c.display, "https://bot:***@git.example.com/web.git");
});

test("refuses options, remote helpers, other schemes and odd paths", () => {
  const cases: [unknown, RegExp][] = [
    ["--upload-pack=touch /tmp/x", /begins with '-'/],
    ["-oProxyCommand=x", /begins with '-'/],
    ["ext::sh -c touch% /tmp/x", /space|helpers/],
    ["ext::sh", /helpers/],
    ["fd::3", /helpers/],
    ["file:///etc", /scheme file/],
    ["http://example.com/x.git", /scheme http/],
    ["relative/path", /use https/],
    ["/srv/../etc", /'\.\.'/],
    ["https://example.com/a b", /space/],
    ["https://x.com/a\n", /control/],
    ["https://x.com/r?upload-pack=x", /query/],
    ["ssh://u:p@x.com/r", /password/],
    ["", /non-empty/],
    [3, /non-empty/],
    ["https://" + "a".repeat(3000), /longer/],
    ["ssh://-oProxyCommand=x/r", /host/],
  ];
  for (const [u, why] of cases)
    assert.throws(
      () => parseRepoUrl(u),
      (e: any) => e.code === "invalid_repo_url" && why.test(e.message),
      String(u),
    );
});

test("error messages never show the password", () => {
  assert.throws(
    () => parseRepoUrl("https://bot:hunter2@x.com/a b"),
    (e: any) => !e.message.includes("hunter2"),
  );
  assert.equal(redact("https://x.com/a"), "https://x.com/a");
});

test("https credentials travel as a header in git's environment, not in its arguments", () => {
  const t = gitTransport("https://bot:p%40ss@git.example.com/acme/web.git");
  assert.equal(t.url, "https://git.example.com/acme/web.git");
  assert.equal(t.env.GIT_CONFIG_KEY_0, "http.extraHeader");
  assert.equal(t.env.GIT_CONFIG_VALUE_0, `Authorization: Basic ${Buffer.from("bot:p@ss").toString("base64")}`);
  assert.deepEqual(gitTransport("https://git.example.com/x.git"), { url: "https://git.example.com/x.git", env: {} });
  assert.deepEqual(gitTransport("/srv/x.git"), { url: "/srv/x.git", env: {} });
});
