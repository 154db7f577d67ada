import { test } from "node:test";
import assert from "node:assert/strict";
import { Command } from "commander";
import { FakeApi } from "../testing/fake-api.js";
import {
  credentialAnswer,
  helperCommand,
  parseCredentialRequest,
  registerGitRemote,
  type GitIo,
} from "./git-remote.js";

const cfg = { url: "http://127.0.0.1:7700", token: "ykp_secret" };

test("git's credential request is parsed up to the blank line", () => {
  assert.deepEqual(parseCredentialRequest("protocol=http\nhost=127.0.0.1:7700\npath=git/web.git\n\nignored=1\n"), {
    protocol: "http",
    host: "127.0.0.1:7700",
    path: "git/web.git",
  });
});

test("the token goes only to the configured server", () => {
  assert.equal(
    credentialAnswer({ protocol: "http", host: "127.0.0.1:7700" }, cfg),
    "username=yk\npassword=ykp_secret\n",
  );
  assert.equal(credentialAnswer({ protocol: "http", host: "127.0.0.1:7701" }, cfg), "");
  assert.equal(credentialAnswer({ protocol: "https", host: "127.0.0.1:7700" }, cfg), "");
  assert.equal(credentialAnswer({ protocol: "http", host: "github.com" }, cfg), "");
  assert.equal(credentialAnswer({ protocol: "http", host: "127.0.0.1:7700" }, { ...cfg, token: null }), "");
});

test("the helper runs this CLI by absolute path, quoted for the shell git uses", () => {
  assert.equal(
    helperCommand("/usr/bin/node", "/opt/it's/cli.js"),
    `!'/usr/bin/node' '/opt/it'\\''s/cli.js' git:credential`,
  );
});

test("git:remote adds the remote and a helper scoped to its URL, after an empty entry; never the token", async () => {
  const calls: string[][] = [];
  const io: GitIo = {
    async git(args) {
      calls.push(args);
      return { code: args[0] === "remote" && args[1] === "get-url" ? 2 : 0, stdout: "", stderr: "" };
    },
    readStdin: async () => "",
    helper: "!'/usr/bin/node' '/x/cli.js' git:credential",
  };
  const url = "http://127.0.0.1:7700/git/web.git";
  const api = new FakeApi({ "GET /api/v1/apps/web": { name: "web", gitUrl: url } });
  let out = "";
  const program = new Command("yk").exitOverride();
  registerGitRemote(
    program,
    {
      env: { YADOKARI_TOKEN: "ykp_secret" },
      api: () => api,
      saveConfig: async () => "",
      out: (t) => void (out += t),
      now: () => new Date(),
    },
    () => io,
  );
  await program.parseAsync(["git:remote", "-a", "web"], { from: "user" });
  assert.deepEqual(calls.slice(2), [
    ["remote", "add", "--", "yadokari", url],
    ["config", "--local", "--unset-all", `credential.${url}.helper`],
    ["config", "--local", "--add", `credential.${url}.helper`, ""],
    ["config", "--local", "--add", `credential.${url}.helper`, io.helper],
  ]);
  assert.doesNotMatch(JSON.stringify(calls), /ykp_secret/);
  assert.match(out, /Added the git remote yadokari: http:\/\/127\.0\.0\.1:7700\/git\/web\.git\n/);
});
