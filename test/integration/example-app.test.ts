import { test, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { TestServer, ROOT, uniqueApp, docker } from "../helpers/yadokari.js";
import { getVia } from "../helpers/http.js";

/**
 * The bundled example as a newcomer deploys it: a Node app with a dependency,
 * built offline on the local node base image, which carries npm.
 */
let s: TestServer | undefined;
after(async () => {
  await s?.close();
});

test("the node base image has npm; the example installs its vendored dependency offline and serves", async () => {
  const container = await docker.createContainer({
    Image: "yadokari-local/node:20",
    Cmd: ["npm", "--version"],
    Labels: { "yadokari.test": "example-app" },
  });
  try {
    await container.start();
    await container.wait();
    const out = (await container.logs({ stdout: true, stderr: true })).toString("utf8");
    assert.match(out, /\d+\.\d+\.\d+/, `npm --version in the base image: ${out}`);
  } finally {
    await container.remove({ force: true });
  }

  s = await TestServer.start();
  const app = uniqueApp("it-example");
  await s.createApp(app);
  const d = await s.deploy(app, join(ROOT, "examples/node-hello"));
  assert.equal(d.status, "succeeded", JSON.stringify(d));
  const log = (await fetch(`${s.url}/api/v1/apps/${app}/deploys/${d.id}/log`, {
    headers: { authorization: `Bearer ${s.token}` },
  }).then((r) => r.text())) as string;
  assert.match(log, /npm ci --offline/);
  assert.match(log, /added 1 package/);
  const res = await getVia(s.httpPort, `${app}.${s.domain}`);
  assert.equal(res.status, 200);
  assert.match(res.body, /Hello from Yadokari/);
});
