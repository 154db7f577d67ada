import { test } from "node:test";
import assert from "node:assert/strict";
import { makeCa, makeCert } from "../../test/helpers/certs.js";
import { certificateProblem, inspectChain, keyMatches, nameCovers, readPrivateKey, splitPem } from "./x509.js";

const DAY = 86_400_000;

test("a chain is read: names from the SANs, dates, issuer, HAProxy's SHA-1 fingerprint", async () => {
  const ca = await makeCa("Facts CA");
  const c = await makeCert(ca, ["Shop.Example.com", "*.shop.example.com"]);
  const f = inspectChain(c.chain);
  assert.deepEqual(f.names, ["shop.example.com", "*.shop.example.com"]);
  assert.equal(f.issuer, "Facts CA");
  assert.match(f.fingerprint, /^[0-9A-F]{40}$/);
  assert.equal(f.chain.length, 2);
  assert.ok(f.notAfter.getTime() > Date.now() + 80 * DAY);
  assert.ok(keyMatches(f.chain[0], readPrivateKey(c.key)));
});

test("certificateProblem: good, expired, wrong key, garbage, no key", async () => {
  const ca = await makeCa();
  const good = await makeCert(ca, ["a.test"]);
  const other = await makeCert(ca, ["b.test"]);
  const expired = await makeCert(ca, ["a.test"], {
    notBefore: new Date(Date.now() - 10 * DAY),
    notAfter: new Date(Date.now() - DAY),
  });
  const now = new Date();
  assert.equal(certificateProblem(good.pem, now), null);
  assert.match(certificateProblem(expired.pem, now) ?? "", /expired on \d{4}-/);
  assert.match(certificateProblem(good.chain + other.key, now) ?? "", /private key does not match/);
  assert.match(
    certificateProblem("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n", now) ?? "",
    /does not parse|no PEM private key/,
  );
  assert.match(certificateProblem("hello", now) ?? "", /no PEM certificate/);
  assert.match(certificateProblem(good.chain, now) ?? "", /no PEM private key/);
});

test("splitPem keeps blocks apart and drops blank lines and CRs inside them", () => {
  const text =
    "junk\r\n-----BEGIN CERTIFICATE-----\r\nAAAA\r\n\r\nBBBB\r\n-----END CERTIFICATE-----\r\n\n-----BEGIN EC PRIVATE KEY-----\nCCCC\n-----END EC PRIVATE KEY-----\n";
  const { certs, keys } = splitPem(text);
  assert.deepEqual(certs, ["-----BEGIN CERTIFICATE-----\nAAAA\nBBBB\n-----END CERTIFICATE-----"]);
  assert.deepEqual(keys, ["-----BEGIN EC PRIVATE KEY-----\nCCCC\n-----END EC PRIVATE KEY-----"]);
});

test("a wildcard covers exactly one label", () => {
  assert.ok(nameCovers("*.example.com", "a.example.com"));
  assert.ok(nameCovers("*.EXAMPLE.com", "A.example.com"));
  assert.ok(!nameCovers("*.example.com", "example.com"));
  assert.ok(!nameCovers("*.example.com", "a.b.example.com"));
  assert.ok(nameCovers("a.example.com", "a.example.com"));
  assert.ok(!nameCovers("a.example.com", "b.example.com"));
});
