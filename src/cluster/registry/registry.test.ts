import { test } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { parseRegistryUrl, ExternalRegistrySettings } from "./external.js";
import { registryPaths, renderRegistryConfig } from "./config.js";
import { subjectAltName } from "./tls.js";
import { pullReference } from "./distribute.js";
import { Keyring } from "../../secrets/keyring.js";
import { AppError } from "../../errors/app-error.js";

test("--registry URL: https only, host[:port][/path], no credentials in it", () => {
  assert.equal(parseRegistryUrl("registry.example.com"), "registry.example.com");
  assert.equal(parseRegistryUrl("https://Registry.example.com:5000/team/"), "registry.example.com:5000/team");
  for (const bad of [
    "http://registry.example.com",
    "https://u:p@registry.example.com",
    "https://registry.example.com/?x=1",
    "https://reg istry",
    "https://registry.example.com/Team",
    "ftp://x",
    42,
    // what the URL parser would rewrite into another URL (found by test/security's sweep)
    "a/../../b",
    "registry.example.com/./team",
    "a\nb",
    "reg\tistry.example.com",
    "w\u0435b", // Cyrillic е: IDNA makes it xn--wb-nlc
    "\uff57\uff45\uff42", // fullwidth: IDNA maps it to "web"
    "web\u200b", // zero-width space: dropped by IDNA
    "registry.example.com\\team",
  ])
    assert.throws(
      () => parseRegistryUrl(bad),
      (e: unknown) => e instanceof AppError && e.code === "invalid_registry",
    );
});

test("the team registry's password is stored sealed and never shown", () => {
  const db = new Database(":memory:");
  db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  const settings = new ExternalRegistrySettings(db, Keyring.ephemeral());
  assert.equal(settings.view(), null);
  const view = settings.set({ url: "https://reg.example.com/team", username: "ci", password: "s3cret-pw" });
  assert.deepEqual(view, {
    url: "https://reg.example.com/team",
    host: "reg.example.com/team",
    username: "ci",
    hasPassword: true,
  });
  const stored = (db.prepare("SELECT value FROM meta").get() as { value: string }).value;
  assert.doesNotMatch(stored, /s3cret-pw/);
  assert.equal(settings.get()?.password, "s3cret-pw");
  assert.throws(
    () => settings.set({ url: "https://reg.example.com", username: "ci" }),
    /both a username and a password/,
  );
  settings.unset();
  assert.equal(settings.get(), null);
});

test("Yadokari's registry config: TLS and htpasswd auth on the given address; references keep yadokari/<app>", () => {
  const p = registryPaths("/var/lib/yadokari");
  const cfg = JSON.parse(renderRegistryConfig(p, "10.0.0.11:5443"));
  assert.equal(cfg.http.addr, "10.0.0.11:5443");
  assert.deepEqual(cfg.http.tls, {
    certificate: "/var/lib/yadokari/registry/tls/registry.crt",
    key: "/var/lib/yadokari/registry/tls/registry.key",
  });
  assert.equal(cfg.auth.htpasswd.path, "/var/lib/yadokari/registry/htpasswd");
  assert.equal(cfg.storage.filesystem.rootdirectory, "/var/lib/yadokari/registry/storage");
  assert.equal(subjectAltName(["10.0.0.11", "mgr.example.com"]), "IP:10.0.0.11,DNS:mgr.example.com");
  assert.throws(() => subjectAltName(["a b"]));
  assert.equal(pullReference("10.0.0.11:5443", "yadokari/shop:abc1234"), "10.0.0.11:5443/yadokari/shop:abc1234");
  assert.equal(pullReference("reg.example.com/team/", "yadokari/shop:v1"), "reg.example.com/team/yadokari/shop:v1");
});
