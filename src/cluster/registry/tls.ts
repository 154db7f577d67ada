import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { isIP } from "node:net";
import { AppError } from "../../errors/app-error.js";
import { run } from "../../lib/run.js";
import type { RegistryPaths } from "./config.js";

/**
 * Yadokari's own CA and the registry's certificate, made with openssl (argv,
 * no shell). Docker talks plain HTTP to a registry only on loopback: nodes
 * reach ours over TLS, trusting this CA (/etc/docker/certs.d/HOST:PORT/ca.crt,
 * which `yk nodes:join-command` tells how to install). The certificate names
 * the addresses nodes use; it is re-made when they change.
 */
export async function ensureRegistryCertificates(p: RegistryPaths, names: string[]): Promise<void> {
  mkdirSync(dirname(p.caCert), { recursive: true, mode: 0o700 });
  if (!existsSync(p.caCert) || !existsSync(p.caKey)) {
    await openssl([
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      p.caKey,
      "-out",
      p.caCert,
      "-days",
      "3650",
      "-subj",
      "/CN=Yadokari registry CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE,pathlen:0",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    rmSync(p.cert, { force: true }); // a new CA: the old certificate no longer chains to it
  }
  const san = subjectAltName(names);
  const sanFile = `${p.cert}.san`;
  if (existsSync(p.cert) && existsSync(p.key) && existsSync(sanFile) && readFileSync(sanFile, "utf8") === san) return;
  const csr = `${p.cert}.csr`;
  const ext = `${p.cert}.ext`;
  writeFileSync(
    ext,
    [
      `subjectAltName=${san}`,
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth",
    ].join("\n") + "\n",
  );
  try {
    await openssl([
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      p.key,
      "-out",
      csr,
      "-subj",
      `/CN=${names[0]}`,
    ]);
    await openssl([
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      p.caCert,
      "-CAkey",
      p.caKey,
      "-set_serial",
      `0x${Date.now().toString(16)}`,
      "-days",
      "825",
      "-out",
      p.cert,
      "-extfile",
      ext,
    ]);
    writeFileSync(sanFile, san);
  } finally {
    rmSync(csr, { force: true });
    rmSync(ext, { force: true });
  }
}

/** "IP:10.0.0.1,DNS:mgr.example.com": the names nodes reach the registry by. Pure. */
export function subjectAltName(names: string[]): string {
  if (names.length === 0) throw new AppError("invalid_registry", "the registry needs at least one address");
  return names
    .map((n) => {
      if (isIP(n)) return `IP:${n}`;
      if (/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(n)) return `DNS:${n}`;
      throw new AppError("invalid_registry", `${JSON.stringify(n)} is not an address or hostname`);
    })
    .join(",");
}

async function openssl(args: string[]): Promise<void> {
  const r = await run("openssl", args, { timeoutMs: 30_000 }).catch((e: Error) => {
    throw new AppError(
      "registry_failed",
      `cannot run openssl: ${e.message}`,
      "Install openssl (apt-get install openssl).",
    );
  });
  if (r.code !== 0)
    throw new AppError("registry_failed", `openssl ${args[0]} failed: ${(r.stderr || r.stdout).trim().slice(0, 500)}`);
}

export const readCa = (p: RegistryPaths) => readFileSync(p.caCert, "utf8");
export const tlsDir = (p: RegistryPaths) => join(p.dir, "tls");
