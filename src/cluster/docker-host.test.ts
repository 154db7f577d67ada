import { test } from "node:test";
import assert from "node:assert/strict";
import { describeEndpoint, engineConnectOptions, parseDockerHost } from "./docker-host.js";
import { AppError } from "../errors/app-error.js";

const HOME = "/home/ops";

test("no DOCKER_HOST is the local socket; unix:// names another socket", () => {
  assert.deepEqual(parseDockerHost({}, HOME), { kind: "unix", socketPath: "/var/run/docker.sock" });
  assert.deepEqual(parseDockerHost({ DOCKER_HOST: "" }, HOME), { kind: "unix", socketPath: "/var/run/docker.sock" });
  assert.deepEqual(parseDockerHost({ DOCKER_HOST: "unix:///tmp/n1/docker.sock" }, HOME), {
    kind: "unix",
    socketPath: "/tmp/n1/docker.sock",
  });
  assert.deepEqual(parseDockerHost({ DOCKER_HOST: "unix://" }, HOME), {
    kind: "unix",
    socketPath: "/var/run/docker.sock",
  });
});

test("tcp:// without TLS defaults to port 2375; with DOCKER_TLS_VERIFY to 2376 and ~/.docker", () => {
  assert.deepEqual(parseDockerHost({ DOCKER_HOST: "tcp://10.0.0.5" }, HOME), {
    kind: "tcp",
    host: "10.0.0.5",
    port: 2375,
    tls: null,
  });
  assert.deepEqual(parseDockerHost({ DOCKER_HOST: "tcp://mgr.example.com", DOCKER_TLS_VERIFY: "1" }, HOME), {
    kind: "tcp",
    host: "mgr.example.com",
    port: 2376,
    tls: { verify: true, certPath: "/home/ops/.docker" },
  });
  // The docker CLI treats any non-empty DOCKER_TLS_VERIFY as on, even "0".
  const ep = parseDockerHost(
    { DOCKER_HOST: "tcp://[fd00::1]:3376", DOCKER_TLS_VERIFY: "0", DOCKER_CERT_PATH: "/etc/yk/certs" },
    HOME,
  );
  assert.deepEqual(ep, { kind: "tcp", host: "fd00::1", port: 3376, tls: { verify: true, certPath: "/etc/yk/certs" } });
  assert.equal(describeEndpoint(ep), "tcp://[fd00::1]:3376 (TLS, verified)");
  assert.deepEqual(parseDockerHost({ DOCKER_HOST: "tcp://h:1", DOCKER_TLS: "1" }, HOME), {
    kind: "tcp",
    host: "h",
    port: 1,
    tls: { verify: false, certPath: "/home/ops/.docker" },
  });
});

test("a DOCKER_HOST Yadokari cannot use is refused with invalid_engine_host", () => {
  for (const bad of [
    "ssh://ops@mgr",
    "npipe:////./pipe/docker_engine",
    "http://h:2375",
    "mgr:2376",
    "unix://relative.sock",
    "tcp://",
    "tcp://h:99999",
    "tcp://h:2376/path",
    "tcp://user:pw@h:2376",
  ]) {
    assert.throws(
      () => parseDockerHost({ DOCKER_HOST: bad }, HOME),
      (e: unknown) => e instanceof AppError && e.code === "invalid_engine_host",
      bad,
    );
  }
});

test("the dockerode options: a socket, plain http, or https with the certificate files", () => {
  const files: Record<string, string> = {
    "/c/ca.pem": "CA",
    "/c/cert.pem": "CERT",
    "/c/key.pem": "KEY",
  };
  const read = (p: string) => {
    if (!(p in files)) throw new Error("ENOENT");
    return Buffer.from(files[p]);
  };
  assert.deepEqual(engineConnectOptions({ kind: "unix", socketPath: "/s" }, read), { socketPath: "/s" });
  assert.deepEqual(engineConnectOptions({ kind: "tcp", host: "h", port: 2375, tls: null }, read), {
    protocol: "http",
    host: "h",
    port: 2375,
  });
  const tls = engineConnectOptions({ kind: "tcp", host: "h", port: 2376, tls: { verify: true, certPath: "/c" } }, read);
  assert.equal(tls.protocol, "https");
  assert.equal(tls.rejectUnauthorized, true);
  assert.equal(tls.ca?.toString(), "CA");
  assert.equal(tls.cert?.toString(), "CERT");
  assert.equal(tls.key?.toString(), "KEY");
  // Verifying needs the CA: its absence is a clear error, not a connection that trusts anyone.
  assert.throws(
    () => engineConnectOptions({ kind: "tcp", host: "h", port: 2376, tls: { verify: true, certPath: "/none" } }, read),
    /ca\.pem/,
  );
  // --tls without verify: no CA needed, the server's certificate is not checked.
  const loose = engineConnectOptions(
    { kind: "tcp", host: "h", port: 2376, tls: { verify: false, certPath: "/none" } },
    read,
  );
  assert.deepEqual(loose, { protocol: "https", host: "h", port: 2376, rejectUnauthorized: false });
  delete files["/c/key.pem"];
  assert.throws(
    () => engineConnectOptions({ kind: "tcp", host: "h", port: 2376, tls: { verify: true, certPath: "/c" } }, read),
    /cert\.pem without key\.pem/,
  );
});
