import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { apiPath, CliError, HttpApi, resolveConfig, saveConfig, cliHint } from "./api-client.js";
import { CODES } from "../errors/codes.js";

/** A real server on an ephemeral port, answering with the given handler. */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

test("an error body becomes a CliError with the server's code, message and hint", async (t) => {
  let auth: string | undefined;
  const srv = await serve((req, res) => {
    auth = req.headers.authorization;
    res.writeHead(404, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        error: {
          code: "not_found",
          message: "App 'nope' not found.",
          hint: "Check the name; 'yk apps' lists the apps.",
        },
      }),
    );
  });
  t.after(srv.close);
  const api = new HttpApi({ url: srv.url, token: "s3cret" });
  await assert.rejects(api.json("GET", apiPath("apps", "nope")), (e: unknown) => {
    assert.ok(e instanceof CliError);
    assert.equal(e.code, "not_found");
    assert.equal(e.message, "App 'nope' not found.");
    assert.equal(e.hint, "Check the name; 'yk apps' lists the apps.");
    assert.equal(e.status, 404);
    assert.equal(e.exitCode, 1);
    return true;
  });
  assert.equal(auth, "Bearer s3cret");
});

test("the server's generic hint about the API document becomes one about the command's flags; others pass", async (t) => {
  const srv = await serve((_req, res) => {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "invalid_request", message: "bad", hint: CODES.invalid_request.hint } }));
  });
  t.after(srv.close);
  await assert.rejects(new HttpApi({ url: srv.url, token: "t" }).json("GET", "/api/v1/apps"), (e: unknown) => {
    assert.ok(e instanceof CliError);
    assert.doesNotMatch(e.hint, /API document|request body/);
    assert.match(e.hint, /--help/);
    return true;
  });
  assert.equal(cliHint("Pass -n 10000 or less."), "Pass -n 10000 or less.");
  assert.match(cliHint(CODES.unauthorized.hint), /^Log in: yk login/);
  assert.doesNotMatch(cliHint(CODES.unauthorized.hint), /Authorization: Bearer/);
});

test("a non-JSON error (a proxy's 502) says what was asked and hints at the URL", async (t) => {
  const srv = await serve((_req, res) => {
    res.writeHead(502, { "content-type": "text/html" });
    res.end("<html>bad gateway</html>");
  });
  t.after(srv.close);
  await assert.rejects(new HttpApi({ url: srv.url, token: null }).json("GET", "/api/v1/apps"), (e: unknown) => {
    assert.ok(e instanceof CliError);
    assert.equal(e.code, "bad_response");
    assert.match(e.message, /502 .*GET \/api\/v1\/apps/);
    assert.match(e.hint, /yk login/);
    return true;
  });
});

test("an unreachable server names the URL and how to start it", async () => {
  const srv = await serve(() => {});
  const url = srv.url;
  await srv.close(); // the port is now closed
  await assert.rejects(new HttpApi({ url, token: null }).json("GET", "/api/v1/apps"), (e: unknown) => {
    assert.ok(e instanceof CliError);
    assert.equal(e.code, "unreachable");
    assert.ok(e.message.includes(url), e.message);
    assert.match(e.message, /ECONNREFUSED/);
    assert.match(e.hint, /npm run up/);
    return true;
  });
});

test("json sends a JSON body; lines yields a text body line by line", async (t) => {
  let got = "";
  const srv = await serve((req, res) => {
    if (req.method === "POST") {
      req.setEncoding("utf8");
      req.on("data", (c: string) => (got += c));
      req.on("end", () => {
        res.writeHead(201, { "content-type": "application/json" });
        res.end(JSON.stringify({ name: "web" }));
      });
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("step 1\nstep ");
    setTimeout(() => res.end("2\r\nlast without newline"), 20);
  });
  t.after(srv.close);
  const api = new HttpApi({ url: srv.url, token: null });
  assert.deepEqual(await api.json("POST", "/api/v1/apps", { name: "web" }), { name: "web" });
  assert.equal(got, '{"name":"web"}');
  const lines: string[] = [];
  for await (const l of api.lines("/log")) lines.push(l);
  assert.deepEqual(lines, ["step 1", "step 2", "last without newline"]);
});

test("config: env beats the saved file, which is written mode 0600", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "yk-config-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { YADOKARI_CONFIG: join(dir, "sub", "config.json") };
  assert.deepEqual(resolveConfig(env), { url: "http://127.0.0.1:7700", token: null });
  const path = await saveConfig(env, { url: "http://paas.example:7700", token: "t1" });
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(resolveConfig(env), { url: "http://paas.example:7700", token: "t1" });
  assert.deepEqual(resolveConfig({ ...env, YADOKARI_URL: "http://other:1/", YADOKARI_TOKEN: "t2" }), {
    url: "http://other:1",
    token: "t2",
  });
  writeFileSync(env.YADOKARI_CONFIG, "{not json");
  assert.throws(
    () => resolveConfig(env),
    (e: unknown) => e instanceof CliError && e.code === "bad_config",
  );
});

test("apiPath escapes each segment", () => {
  assert.equal(apiPath("apps", "web", "domains", "a/b?c"), "/api/v1/apps/web/domains/a%2Fb%3Fc");
});
