import { test } from "node:test";
import assert from "node:assert/strict";
import {
  backupName,
  checkBackupFile,
  checkBackupTarget,
  checkHostPath,
  parseEvery,
  retentionVictims,
} from "./service.js";
import { parseS3Target, signS3 } from "./s3.js";
import aws4 from "aws4";

test("backup names sort by time; retention keeps the newest and touches nothing else", () => {
  const a = backupName(new Date("2026-01-02T03:04:05.006Z"), false);
  assert.equal(a, "yadokari-20260102T030405006Z.tar.gz");
  assert.equal(backupName(new Date("2026-01-02T03:04:05.006Z"), true), "yadokari-20260102T030405006Z.tar.gz.enc");
  const names = [
    "yadokari-20260101T000000000Z.tar.gz",
    "yadokari-20260103T000000000Z.tar.gz.enc",
    "yadokari-20260102T000000000Z.tar.gz",
    "notes.txt",
    "yadokari-latest.tar.gz",
  ];
  assert.deepEqual(retentionVictims(names, 2), ["yadokari-20260101T000000000Z.tar.gz"]);
  assert.deepEqual(
    retentionVictims(
      names.map((n) => `backups/${n}`),
      1,
    ),
    ["backups/yadokari-20260102T000000000Z.tar.gz", "backups/yadokari-20260101T000000000Z.tar.gz"],
  );
});

test("schedules and paths are validated", () => {
  assert.equal(parseEvery("24h"), 24);
  assert.equal(parseEvery("7d"), 168);
  assert.equal(parseEvery("90m"), 1.5);
  for (const bad of ["5m", "31d", "1w", "", "h"]) assert.throws(() => parseEvery(bad), /--every/);
  assert.equal(checkHostPath("/var/backups/yk", "--to"), "/var/backups/yk");
  for (const bad of ["backups", "/var/../etc", "/x\0y"])
    assert.throws(() => checkHostPath(bad, "--to"), /absolute path/);
});

test("backups are never written at the root, into the system's own trees, or over a file that is not a backup", () => {
  for (const ok of ["/var/backups/yk", "/var/backups/yk/", "/root/b.tar.gz", "/srv/etc/"])
    assert.equal(checkBackupTarget(ok), ok);
  for (const bad of [
    "/",
    "//",
    "/./",
    "/etc",
    "/etc/",
    "/etc/cron.d/x.tar.gz",
    "/usr/local/",
    "/proc/self/fd/1",
    "/dev/sda",
  ])
    assert.throws(
      () => checkBackupTarget(bad),
      (e: Error & { code?: string }) => e.code === "invalid_backup_target",
    );
  assert.equal(checkBackupFile("/var/b/full.tar.gz.enc"), "/var/b/full.tar.gz.enc");
  for (const bad of ["/root/.bashrc", "/var/b/x.tar", "/var/b/x.tar.gz.bak"])
    assert.throws(() => checkBackupFile(bad), /not named \*\.tar\.gz/);
});

test("s3:// targets need a valid bucket and credentials; requests are path-style and signed", () => {
  const env = {
    accessKeyId: "AKID",
    secretAccessKey: "secret",
    endpoint: "http://127.0.0.1:9000",
    region: "",
    sessionToken: "",
  };
  const t = parseS3Target("s3://my-backups/yadokari/prod/", env);
  assert.equal(t.bucket, "my-backups");
  assert.equal(t.prefix, "yadokari/prod");
  assert.equal(t.region, "us-east-1");
  assert.throws(() => parseS3Target("s3://My_Bucket/x", env), /bucket name/);
  assert.throws(() => parseS3Target("s3://bucket/../x", env), /unsafe/);
  assert.throws(() => parseS3Target("s3://bucket/x", { ...env, accessKeyId: "" }), /AWS_ACCESS_KEY_ID/);
  assert.equal(parseS3Target("s3://bucket", { ...env, endpoint: "" }).endpoint.host, "s3.us-east-1.amazonaws.com");
  const r = signS3(t, "PUT", "yadokari/prod/a b.tar.gz");
  assert.equal(r.path, "/my-backups/yadokari/prod/a%20b.tar.gz");
  assert.match(
    String(r.headers.Authorization),
    /^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
  );
});

test("the signer reproduces AWS's published Signature Version 4 test vector (get-vanilla)", () => {
  // From AWS's SigV4 test suite: GET / on example.amazonaws.com, service "service", 2015-08-30T12:36:00Z.
  const req = {
    host: "example.amazonaws.com",
    path: "/",
    method: "GET",
    service: "service",
    region: "us-east-1",
    headers: { "X-Amz-Date": "20150830T123600Z" },
    doNotModifyHeaders: false,
  };
  aws4.sign(req, { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" });
  assert.equal(
    (req.headers as Record<string, string>).Authorization,
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
  );
});
