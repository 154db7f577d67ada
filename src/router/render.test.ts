import { test } from "node:test";
import assert from "node:assert/strict";
import { AppError } from "../errors/app-error.js";
import { configFingerprint, NOT_FOUND_BACKEND, renderConfig, renderHostMap, type RenderOptions } from "./render.js";
import type { DesiredRouter } from "./types.js";

const opts: RenderOptions = {
  httpListen: "127.0.0.1:18080",
  adminSocket: "/data/router/admin.sock",
  mapFile: "/data/router/hosts.map",
};

const desired = (): DesiredRouter => ({
  hosts: { "www.example.com": "app_shop_web", "shop.test": "app_shop_web" },
  backends: [
    {
      name: "app_shop_web",
      servers: [
        { name: "shop-web-2", address: "172.20.0.3", port: 5000, weight: 100, state: "ready" },
        { name: "shop-web-1", address: "172.20.0.2", port: 5000, weight: 100, state: "drain" },
      ],
    },
  ],
});

const lines = (text: string) => text.split("\n").map((l) => l.trim());

test("host routing goes through the map and unknown hosts fall to the router's own 404", () => {
  const cfg = renderConfig(desired(), opts);
  assert.ok(lines(cfg).includes("http-request set-var(txn.host) req.hdr(host),field(1,:),lower"));
  assert.ok(lines(cfg).includes("use_backend %[var(txn.host),map(/data/router/hosts.map)]"));
  assert.ok(lines(cfg).includes(`default_backend ${NOT_FOUND_BACKEND}`));
  const notFound = cfg.slice(cfg.indexOf(`\nbackend ${NOT_FOUND_BACKEND}\n`) + 1);
  assert.match(notFound.split("\n")[1], /^\s+http-request return status 404 /);
  assert.doesNotMatch(notFound.split("\n\n")[0], /\bserver\b/);
});

test("admin socket, keep-alive, retries, WebSocket and reload settings are rendered", () => {
  const l = lines(renderConfig(desired(), opts));
  for (const want of [
    "stats socket /data/router/admin.sock mode 600 level admin expose-fd listeners",
    "hard-stop-after 60s",
    "option idle-close-on-response",
    "http-reuse safe",
    "option forwardfor",
    "retries 3",
    "option redispatch 1",
    "retry-on conn-failure",
    "timeout tunnel 1h",
    "balance roundrobin",
    "bind 127.0.0.1:18080",
    "unique-id-format %[var(txn.request_id)]",
    "http-request set-header X-Request-Id %[unique-id]",
    "log stdout format raw local0",
  ]) {
    assert.ok(l.includes(want), `missing: ${want}`);
  }
  assert.ok(l.some((x) => x.startsWith("http-request set-header X-Forwarded-Proto ")));
  assert.ok(l.some((x) => x.startsWith("http-request set-header X-Forwarded-Host ")));
  assert.ok(l.some((x) => x.startsWith("log-format '{")));
  // Layer-7 retry conditions make HAProxy copy every request into a spare buffer (see render.ts).
  assert.ok(
    !l.some((x) => /^retry-on .*(empty-response|response-timeout|junk-response|\d{3})/.test(x)),
    "layer-7 retries are rendered",
  );
});

test("servers are sorted, and drain is weight 0 with the same options as a live add", () => {
  const cfg = renderConfig(desired(), opts);
  const servers = lines(cfg).filter((l) => l.startsWith("server "));
  assert.deepEqual(servers, [
    "server shop-web-1 172.20.0.2:5000 weight 0 pool-max-conn -1 pool-purge-delay 5s",
    "server shop-web-2 172.20.0.3:5000 weight 100 pool-max-conn -1 pool-purge-delay 5s",
  ]);
});

test("access log can be turned off; pid file and hard-stop-after are options", () => {
  const l = lines(
    renderConfig(desired(), { ...opts, accessLog: "off", pidFile: "/data/router/haproxy.pid", hardStopAfter: "5m" }),
  );
  assert.ok(!l.some((x) => x.startsWith("log")));
  assert.ok(l.includes("pidfile /data/router/haproxy.pid"));
  assert.ok(l.includes("hard-stop-after 5m"));
});

test("the fingerprint ignores servers and hosts but not backends or the listen address", () => {
  const base = configFingerprint(desired(), opts);
  const d2 = desired();
  d2.backends[0].servers = [{ name: "x", address: "10.0.0.9", port: 80, weight: 1, state: "ready" }];
  d2.hosts = {};
  assert.equal(configFingerprint(d2, opts), base);
  const d3 = desired();
  d3.backends.push({ name: "app_other_web", servers: [] });
  assert.notEqual(configFingerprint(d3, opts), base);
  assert.notEqual(configFingerprint(desired(), { ...opts, httpListen: "0.0.0.0:80" }), base);
  assert.ok(renderConfig(desired(), opts).includes(`description ${base}\n`));
});

test("rendering is deterministic whatever the input order", () => {
  const a = desired();
  const b = desired();
  b.backends[0].servers.reverse();
  b.hosts = { "shop.test": "app_shop_web", "www.example.com": "app_shop_web" };
  assert.equal(renderConfig(a, opts), renderConfig(b, opts));
  assert.equal(renderHostMap(a.hosts), renderHostMap(b.hosts));
});

test("host map lists one sorted 'host backend' line per host", () => {
  const map = renderHostMap(desired().hosts);
  assert.deepEqual(
    map.split("\n").filter((l) => l && !l.startsWith("#")),
    ["shop.test app_shop_web", "www.example.com app_shop_web"],
  );
});

const rejects = (mutate: (d: DesiredRouter) => void, pattern: RegExp) => {
  const d = desired();
  mutate(d);
  assert.throws(
    () => renderConfig(d, opts),
    (e: unknown) => e instanceof AppError && e.code === "router_failed" && pattern.test(e.message),
  );
};

test("names, addresses, ports, weights and hosts are validated with a path in the message", () => {
  rejects((d) => (d.backends[0].name = "app shop"), /backends\[0\]\.name/);
  rejects((d) => (d.backends[0].name = "yadokari_not_found"), /reserved/);
  rejects((d) => (d.backends[0].servers[0].name = "a;b"), /backends\[0\]\.servers\[0\]\.name/);
  rejects((d) => (d.backends[0].servers[1].name = "shop-web-2"), /appears twice/);
  rejects((d) => (d.backends[0].servers[0].address = "10.0.0.300"), /address/);
  rejects((d) => (d.backends[0].servers[0].address = "db.internal"), /IPv4/);
  rejects((d) => (d.backends[0].servers[0].port = 0), /port/);
  rejects((d) => (d.backends[0].servers[0].weight = 257), /weight/);
  rejects((d) => (d.backends[0].servers[0].weight = 1.5), /weight/);
  rejects((d) => (d.hosts["Shop.test"] = "app_shop_web"), /hosts\["Shop\.test"\]/);
  rejects((d) => (d.hosts["shop.test:8080"] = "app_shop_web"), /no port/);
  rejects((d) => (d.hosts["a.test"] = "app_missing"), /not in backends/);
  rejects((d) => d.backends.push({ ...d.backends[0] }), /appears twice/);
});

test("settings pasted into the config are validated", () => {
  assert.throws(() => renderConfig(desired(), { ...opts, httpListen: "0.0.0.0:80 ssl" }), /httpListen/);
  assert.throws(() => renderConfig(desired(), { ...opts, adminSocket: "relative.sock" }), /adminSocket/);
  assert.throws(() => renderConfig(desired(), { ...opts, mapFile: "/a b/map" }), /mapFile/);
  assert.throws(() => renderConfig(desired(), { ...opts, hardStopAfter: "soon" }), /hardStopAfter/);
});

test("sticky backends insert HAProxy's dynamic server cookie; turning it on is a structural change", () => {
  const d = desired();
  const sticky = {
    ...d,
    backends: d.backends.map((b, i) => (i === 0 ? { ...b, sticky: { key: "abcdef0123456789" } } : b)),
  };
  const l = lines(renderConfig(sticky, opts));
  const at = l.indexOf(`backend ${sticky.backends[0].name}`);
  assert.deepEqual(l.slice(at + 1, at + 3), [
    "cookie YKSRV insert indirect nocache httponly dynamic",
    "dynamic-cookie-key abcdef0123456789",
  ]);
  assert.notEqual(configFingerprint(sticky, opts), configFingerprint(d, opts));
  assert.throws(
    () => renderConfig({ ...d, backends: d.backends.map((b) => ({ ...b, sticky: { key: "bad key; x" } })) }, opts),
    /sticky\.key/,
  );
});

const https: RenderOptions = {
  ...opts,
  https: {
    listen: "127.0.0.1:18443",
    crtList: "/data/router/certs.list",
    redirectMap: "/data/router/redirect.map",
    hstsMap: "/data/router/hsts.map",
    acmeMap: "/data/router/acme.map",
  },
};

test("HTTPS: one frontend, a TLS bind with a crt-list, strict SNI and ALPN h2; proto set from the connection", () => {
  const l = lines(renderConfig(desired(), https));
  assert.ok(l.includes("bind 127.0.0.1:18080"));
  assert.ok(l.includes("bind 127.0.0.1:18443 ssl crt-list /data/router/certs.list strict-sni alpn h2,http/1.1"));
  assert.ok(l.includes("http-request set-header X-Forwarded-Proto https if { ssl_fc }"));
  assert.ok(l.includes("http-request set-header X-Forwarded-Proto http unless { ssl_fc }"));
  assert.ok(l.some((x) => x.startsWith("ssl-default-bind-options ssl-min-ver TLSv1.2")));
  // the redirect keeps the HTTPS port when it is not 443, and never touches ACME challenges
  const redirect = l.find((x) => x.startsWith("http-request redirect code 308 location https://"));
  assert.match(redirect ?? "", /%\[var\(txn\.host\)\]:18443%\[pathq\]/);
  assert.match(redirect ?? "", /!\{ path_beg \/\.well-known\/acme-challenge\/ \}/);
  assert.match(redirect ?? "", /map\(\/data\/router\/redirect\.map\) -m found/);
  // ACME answers come before the redirect and the routing
  const acme = l.findIndex((x) => x.startsWith("http-request return status 200"));
  assert.ok(acme > 0 && acme < l.indexOf(redirect!) && acme < l.findIndex((x) => x.startsWith("use_backend")));
  assert.ok(l.some((x) => x.startsWith("http-after-response set-header Strict-Transport-Security")));
  // plain HTTP only: nothing of it
  const plain = renderConfig(desired(), opts);
  assert.doesNotMatch(plain, /ssl|acme|Strict-Transport/);
});

test("Host with two values or two Host headers is refused; a client's X-Forwarded-For is dropped", () => {
  const l = lines(renderConfig(desired(), opts));
  const deny = l.indexOf("http-request deny deny_status 400 if { req.hdr_cnt(host) gt 1 }");
  assert.ok(deny >= 0);
  assert.ok(deny < l.findIndex((x) => x.startsWith("http-request set-var(txn.host)")));
  assert.ok(l.includes("http-request del-header X-Forwarded-For"));
  assert.ok(l.includes("option forwardfor"));
});

test("the API backend is rendered with its hostname in the map; TLS inputs are validated", () => {
  const withApi = { ...desired(), api: { hostname: "yk.example.com", address: "127.0.0.1", port: 7700 } };
  const cfg = renderConfig(withApi, https);
  assert.match(cfg, /\nbackend yadokari_api\n(.*\n)* {2}server api 127\.0\.0\.1:7700 /);
  assert.throws(
    () => renderConfig({ ...withApi, api: { ...withApi.api, hostname: "shop.test" } }, https),
    /also an app's hostname/,
  );
  assert.throws(
    () =>
      renderConfig(
        { ...desired(), certificates: [{ name: "../x", pem: "-----BEGIN", fingerprint: "A".repeat(40) }] },
        https,
      ),
    /certificates\[0\]\.name/,
  );
  assert.throws(() => renderConfig({ ...desired(), hsts: { "shop.test": -1 } }, https), /hsts/);
});
