import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

/**
 * Test certificates made in-process: a small CA and leaves signed by it with
 * any names and dates (expired ones included), so tests need neither openssl
 * nor fixtures that age.
 */

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const DAY = 86_400_000;

export interface TestCa {
  cert: string;
  keys: CryptoKeyPair;
  name: string;
}

export interface TestCert {
  /** The leaf then the CA certificate. */
  chain: string;
  key: string;
  /** chain + key, as the router takes it. */
  pem: string;
}

let serial = 1;
const nextSerial = () => (serial++).toString(16).padStart(2, "0") + Date.now().toString(16);

export async function makeCa(name = "Yadokari Test CA"): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { cert: cert.toString("pem"), keys, name: `CN=${name}` };
}

export async function makeCert(
  ca: TestCa,
  names: string[],
  opts: { notBefore?: Date; notAfter?: Date } = {},
): Promise<TestCert> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: nextSerial(),
    subject: `CN=${names[0]}`,
    issuer: ca.name,
    notBefore: opts.notBefore ?? new Date(Date.now() - DAY),
    notAfter: opts.notAfter ?? new Date(Date.now() + 90 * DAY),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: "dns" as const, value }))),
      new x509.BasicConstraintsExtension(false),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
  const key = x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY");
  const chain = `${cert.toString("pem")}\n${ca.cert}\n`;
  return { chain, key: `${key}\n`, pem: `${chain}${key}\n` };
}
