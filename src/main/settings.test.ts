import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSettings, printConfig, SETTINGS, settingNames } from "./settings.js";
import { DOC, withCurrentTable } from "./settings-doc.js";
import { AppError } from "../errors/app-error.js";

test("defaults, then the environment, then flags", () => {
  const { settings, sources } = loadSettings({}, {});
  assert.equal(settings.drainTimeoutSec, 30);
  assert.equal(settings.apiListen, "127.0.0.1:7700");
  assert.deepEqual(settings.storageRoots, ["/var/lib/yadokari-storage"]);
  assert.equal(sources.drainTimeoutSec, "default");
  const env = loadSettings(
    {},
    { YADOKARI_DRAIN_TIMEOUT: "5", YADOKARI_DOMAIN: "Apps.Example.com", YADOKARI_STOP_TIMEOUT: "" },
  );
  assert.equal(env.settings.drainTimeoutSec, 5);
  assert.equal(env.settings.domain, "apps.example.com");
  assert.equal(env.sources.stopTimeoutSec, "default", "an empty variable is unset");
  const flag = loadSettings({ domain: "flag.example" }, { YADOKARI_DOMAIN: "env.example" });
  assert.equal(flag.settings.domain, "flag.example");
  assert.equal(flag.sources.domain, "flag");
});

test("a wrong value is refused with its name, the value and what is allowed", () => {
  const refused = (flags: Record<string, string>, env: Record<string, string>) => {
    try {
      loadSettings(flags, env);
    } catch (e) {
      assert.ok(e instanceof AppError);
      assert.equal(e.code, "invalid_setting");
      return e.message;
    }
    assert.fail("accepted");
  };
  assert.equal(
    refused({}, { YADOKARI_DRAIN_TIMEOUT: "abc" }),
    'YADOKARI_DRAIN_TIMEOUT="abc" is not allowed: expected whole seconds, 0 to 3600',
  );
  assert.match(refused({}, { YADOKARI_DRAIN_TIMEOUT: "-1" }), /YADOKARI_DRAIN_TIMEOUT="-1"/);
  assert.match(refused({}, { YADOKARI_DRAIN_TIMEOUT: "1e3" }), /expected whole seconds/);
  assert.match(refused({ accessLog: "maybe" }, {}), /^--access-log="maybe" is not allowed: expected on, off$/);
  assert.match(refused({}, { YADOKARI_API_LISTEN: "localhost" }), /expected host:port/);
  assert.match(refused({}, { YADOKARI_STORAGE_ROOTS: "/srv:relative" }), /absolute directories/);
  assert.match(refused({}, { YADOKARI_PUBLIC_URL: "ftp://x" }), /http/);
  assert.match(refused({}, { YADOKARI_LOG_LEVEL: "loud" }), /debug, info, warn, error/);
  // HTTPS, ACME and the cluster's engine (merged from main: read here now, not in src/certs or src/cluster)
  assert.match(
    refused({ httpsListen: "anywhere" }, {}),
    /^--https-listen="anywhere" is not allowed: expected host:port, or off$/,
  );
  assert.match(refused({ acmeDirectory: "http://ca.example/dir" }, {}), /an https:\/\/ URL, production or staging/);
  assert.match(refused({ acmeEmail: "ops" }, {}), /an email address/);
  assert.match(refused({ apiHostname: "-bad-" }, {}), /a DNS name/);
  assert.match(refused({}, { YADOKARI_ACME_TICK_MS: "0" }), /YADOKARI_ACME_TICK_MS="0"/);
  assert.match(
    refused({}, { DOCKER_HOST: "ssh://me@host" }),
    /^DOCKER_HOST="ssh:\/\/me@host" is not allowed: expected unix/,
  );
  assert.match(refused({}, { YADOKARI_ADMISSION_IMAGE: "bad image" }), /an image reference/);
});

test("HTTPS, ACME and the docker CLI's variables are settings too", () => {
  const d = loadSettings({}, {}).settings;
  assert.equal(d.httpsListen, "0.0.0.0:443");
  assert.equal(d.acmeDirectory, "");
  assert.equal(d.acmeTickMs, 30_000);
  assert.equal(d.dockerHost, "");
  assert.equal(d.dockerTlsVerify, false);
  const { settings, sources } = loadSettings(
    { httpsListen: "off", acmeDirectory: "staging", apiHostname: "Yk.Example.com" },
    { DOCKER_HOST: "tcp://10.0.0.5:2376", DOCKER_TLS_VERIFY: "1", YADOKARI_ACME_BACKOFF_MS: "2000" },
  );
  assert.equal(settings.httpsListen, "off");
  assert.equal(settings.acmeDirectory, "staging");
  assert.equal(settings.apiHostname, "yk.example.com");
  assert.equal(settings.dockerHost, "tcp://10.0.0.5:2376");
  assert.equal(settings.dockerTlsVerify, true);
  assert.equal(settings.acmeBackoffMs, 2000);
  assert.equal(sources.dockerHost, "env");
});

test("--print-config lists every setting with its source, secrets masked", () => {
  const { settings, sources } = loadSettings(
    { logFormat: "pretty" },
    { YADOKARI_PUBLIC_URL: "https://ci:hunter2@yk.example.com/", YADOKARI_DRAIN_TIMEOUT: "7" },
  );
  const out = printConfig(settings, sources);
  assert.equal(out.trim().split("\n").length, settingNames.length);
  assert.match(out, /^YADOKARI_DRAIN_TIMEOUT=7 +# env$/m);
  assert.match(out, /^YADOKARI_LOG_FORMAT=pretty +# flag$/m);
  assert.match(out, /^YADOKARI_DATA_DIR=\/var\/lib\/yadokari +# default$/m);
  assert.match(out, /YADOKARI_PUBLIC_URL=https:\/\/ci:\*\*\*@yk\.example\.com/);
  assert.equal(out.includes("hunter2"), false);
});

test("docs/settings.md has the current table (npm run docs:settings writes it)", () => {
  const doc = readFileSync(DOC, "utf8");
  assert.equal(doc, withCurrentTable(doc), "run 'npm run docs:settings'");
  for (const name of settingNames) assert.ok(doc.includes(`\`${SETTINGS[name].env}\``));
});

test("every YADOKARI_* variable the server's code names is a setting (the CLI's and the git hook's aside)", () => {
  const src = fileURLToPath(new URL("../../../src", import.meta.url));
  const known = new Set(settingNames.map((n) => SETTINGS[n].env));
  // the CLI's own, the hook's (set by the server for git), and those Yadokari sets in app containers
  for (const other of [
    "URL",
    "TOKEN",
    "CONFIG",
    "APP",
    "DEBUG",
    "HOOK_URL",
    "HOOK_TOKEN",
    "HOOK_APP",
    "RELEASE",
    "PROCESS",
    // not a variable: the here-document delimiter of the join command's CA file (src/cluster/join-command.ts)
    "CA",
  ])
    known.add(`YADOKARI_${other}`);
  const unknown = new Set<string>();
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".ts") && !p.endsWith(".test.ts"))
        for (const m of readFileSync(p, "utf8").matchAll(/YADOKARI_[A-Z0-9_]*[A-Z0-9]/g))
          if (!known.has(m[0])) unknown.add(`${m[0]} in ${p}`);
    }
  };
  walk(src);
  assert.deepEqual([...unknown], []);
});
