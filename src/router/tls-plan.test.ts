import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCertFingerprint, parseShowCrtList, parseShowSslCert, planTls, type LiveTls } from "./tls-plan.js";

const files = {
  certsDir: "/r/certs",
  crtList: "/r/certs.list",
  redirectMap: "/r/redirect.map",
  hstsMap: "/r/hsts.map",
};
const A = "A".repeat(40);
const B = "B".repeat(40);
const live = (over: Partial<LiveTls> = {}): LiveTls => ({
  stored: [],
  transactions: [],
  listed: [],
  fingerprints: new Map(),
  redirect: new Map(),
  hsts: new Map(),
  ...over,
});
const cmds = (steps: { command: string }[]) => steps.map((s) => s.command);

test("a new certificate: new, set with its PEM, commit, add to the crt-list", () => {
  const p = planTls(
    { certificates: [{ name: "a", pem: "PEM", fingerprint: A }], redirectHttps: ["a.test"], hsts: { "a.test": 60 } },
    live(),
    files,
  );
  assert.deepEqual(cmds(p.certAdds), [
    "new ssl cert /r/certs/a.pem",
    "set ssl cert /r/certs/a.pem",
    "commit ssl cert /r/certs/a.pem",
    "add ssl crt-list /r/certs.list /r/certs/a.pem",
  ]);
  assert.equal(p.certAdds[1].payload, "");
  assert.ok(p.certAdds.every((s) => s.certificate === "/r/certs/a.pem" && s.fingerprint === A));
  assert.deepEqual(cmds(p.mapSets), ["add map /r/redirect.map a.test 1", "add map /r/hsts.map a.test 60"]);
  assert.deepEqual(p.certRemovals, []);
});

test("a renewed certificate is set and committed on the same file; an unchanged one is left alone", () => {
  const p = planTls(
    {
      certificates: [
        { name: "a", pem: "NEW", fingerprint: B },
        { name: "b", pem: "SAME", fingerprint: B },
      ],
      redirectHttps: [],
      hsts: {},
    },
    live({
      stored: ["/r/certs/a.pem", "/r/certs/b.pem"],
      listed: ["/r/certs/a.pem", "/r/certs/b.pem"],
      fingerprints: new Map([
        ["/r/certs/a.pem", A],
        ["/r/certs/b.pem", B],
      ]),
    }),
    files,
  );
  assert.deepEqual(cmds(p.certAdds), ["set ssl cert /r/certs/a.pem", "commit ssl cert /r/certs/a.pem"]);
});

test("removal: out of the crt-list, then out of the store; a dangling transaction is aborted first", () => {
  const p = planTls(
    { certificates: [{ name: "b", pem: "B", fingerprint: B }], redirectHttps: [], hsts: {} },
    live({
      stored: ["/r/certs/a.pem", "/r/certs/b.pem", "/r/certs/empty.pem"],
      transactions: ["/r/certs/b.pem"],
      listed: ["/r/certs/a.pem"],
      fingerprints: new Map([["/r/certs/a.pem", A]]),
      redirect: new Map([["a.test", ["1"]]]),
    }),
    files,
  );
  assert.deepEqual(cmds(p.certAdds), [
    "abort ssl cert /r/certs/b.pem",
    "set ssl cert /r/certs/b.pem",
    "commit ssl cert /r/certs/b.pem",
    "add ssl crt-list /r/certs.list /r/certs/b.pem",
  ]);
  assert.deepEqual(cmds(p.mapDeletes), ["del map /r/redirect.map a.test"]);
  assert.deepEqual(cmds(p.certRemovals), [
    "del ssl crt-list /r/certs.list /r/certs/a.pem",
    "del ssl cert /r/certs/a.pem",
    "del ssl cert /r/certs/empty.pem",
  ]);
});

test("parsers read HAProxy 2.6's answers", () => {
  assert.deepEqual(parseShowSslCert("# transaction\n*/r/certs/b.pem\n# filename\n/r/certs/a.pem\n/r/certs/b.pem\n\n"), {
    stored: ["/r/certs/a.pem", "/r/certs/b.pem"],
    transactions: ["/r/certs/b.pem"],
  });
  assert.deepEqual(parseShowCrtList("# /r/certs.list\n/r/certs/a.pem\n/r/certs/b.pem [alpn h2] x.test\n\n"), [
    "/r/certs/a.pem",
    "/r/certs/b.pem",
  ]);
  assert.equal(
    parseCertFingerprint(
      "Filename: /r/a.pem\nStatus: Used\nSHA1 FingerPrint: ff748C26D85C326910487227B9E3DF23CB1D16BD\n",
    ),
    "FF748C26D85C326910487227B9E3DF23CB1D16BD",
  );
});
