import { test } from "node:test";
import assert from "node:assert/strict";
import { renderUnits, systemdIsInit } from "./systemd.js";
import { serversInConfig, staleServers } from "./router-check.js";

const paths = {
  node: "/usr/bin/node",
  cli: "/opt/yadokari/dist/src/main/cli.js",
  dataDir: "/var/lib/yadokari",
  envFile: "/etc/default/yadokari",
  haproxy: "/usr/sbin/haproxy",
};

test("the units: the router from the last config at boot after a check, the server restarted on failure and never taking HAProxy down", () => {
  const u = renderUnits(paths);
  const router = u["yadokari-router.service"];
  assert.match(
    router,
    /^ExecStart=\/usr\/sbin\/haproxy -Ws -S \/var\/lib\/yadokari\/router\/master\.sock,mode,600 -f \/var\/lib\/yadokari\/router\/haproxy\.cfg$/m,
  );
  assert.match(
    router,
    /^ExecStartPre=\/usr\/bin\/node \/opt\/yadokari\/dist\/src\/main\/cli\.js router:check --data-dir \/var\/lib\/yadokari$/m,
  );
  assert.match(router, /^After=.*docker\.service/m);
  assert.match(router, /^Restart=no$/m);
  assert.match(router, /^WantedBy=multi-user\.target$/m);
  const server = u["yadokari.service"];
  assert.match(server, /^ExecStart=\/usr\/bin\/node \/opt\/yadokari\/dist\/src\/main\/cli\.js server$/m);
  assert.match(server, /^Restart=on-failure$/m);
  assert.match(server, /^KillMode=process$/m);
  assert.match(server, /^After=.*yadokari-router\.service/m);
  assert.equal(systemdIsInit("systemd\n"), true);
  assert.equal(systemdIsInit("process_api"), false);
});

test("router:check finds servers whose container is gone, stopped or moved", () => {
  const config = [
    "backend be_shop_web",
    "  balance roundrobin",
    "  server yk-shop-web-v2-aa 172.18.0.2:5000 weight 100 check",
    "  server yk-shop-web-v2-bb 172.18.0.3:5000 weight 100",
    "backend be_blog_web",
    "  server yk-blog-web-v1-cc 172.18.0.4:5000 weight 100",
    "  server yk-blog-web-v1-dd 172.18.0.5:5000 weight 100",
    "",
  ].join("\n");
  const servers = serversInConfig(config);
  assert.deepEqual(
    servers.map((s) => `${s.backend}/${s.name}@${s.address}`),
    [
      "be_shop_web/yk-shop-web-v2-aa@172.18.0.2",
      "be_shop_web/yk-shop-web-v2-bb@172.18.0.3",
      "be_blog_web/yk-blog-web-v1-cc@172.18.0.4",
      "be_blog_web/yk-blog-web-v1-dd@172.18.0.5",
    ],
  );
  const stale = staleServers(
    servers,
    new Map([
      ["yk-shop-web-v2-aa", { running: true, addresses: ["172.18.0.2"] }],
      ["yk-shop-web-v2-bb", { running: true, addresses: ["172.18.0.4"] }],
      ["yk-blog-web-v1-cc", { running: false, addresses: [] }],
    ]),
  );
  assert.deepEqual(
    stale.map((x) => `${x.server.name}: ${x.why}`),
    ["yk-shop-web-v2-bb: now at 172.18.0.4", "yk-blog-web-v1-cc: not running", "yk-blog-web-v1-dd: no such container"],
  );
});
