import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeCa, makeCert } from "./certs.js";
import { waitFor } from "./http.js";
import { freePort } from "./ports.js";

/**
 * Debian's Pebble (a small ACME server by Let's Encrypt) with
 * pebble-challtestsrv as its DNS, resolving every name to 127.0.0.1. Pebble
 * validates HTTP-01 on `httpPort` (the router's HTTP port under test). Its
 * own HTTPS listener gets a certificate made here (the package ships none);
 * `caFile` holds the CA to trust for it (--acme-ca-file). Nonce rejection
 * stays on (5 %), so acme-client's retry path runs too.
 */
export class Pebble {
  private children: ChildProcess[] = [];

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly mgmtPort: number,
    readonly caFile: string,
    private readonly ca: string,
  ) {}

  get directory(): string {
    return `https://localhost:${this.port}/dir`;
  }

  get log(): string {
    try {
      return readFileSync(join(this.dir, "pebble.log"), "utf8");
    } catch {
      return "";
    }
  }

  static async start(opts: { httpPort: number; validitySec?: number }): Promise<Pebble> {
    const dir = mkdtempSync(join(tmpdir(), "yk-pebble-"));
    const ca = await makeCa("Pebble listener test CA");
    const listener = await makeCert(ca, ["localhost"]);
    writeFileSync(join(dir, "cert.pem"), listener.chain);
    writeFileSync(join(dir, "key.pem"), listener.key);
    writeFileSync(join(dir, "ca.pem"), ca.cert);
    const [port, mgmtPort, dnsPort, tlsPort, challMgmt] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    writeFileSync(
      join(dir, "pebble.json"),
      JSON.stringify({
        pebble: {
          listenAddress: `127.0.0.1:${port}`,
          managementListenAddress: `127.0.0.1:${mgmtPort}`,
          certificate: join(dir, "cert.pem"),
          privateKey: join(dir, "key.pem"),
          httpPort: opts.httpPort,
          tlsPort,
          ocspResponderURL: "",
          externalAccountBindingRequired: false,
          ...(opts.validitySec ? { certificateValidityPeriod: opts.validitySec } : {}),
        },
      }),
    );
    const p = new Pebble(dir, port, mgmtPort, join(dir, "ca.pem"), ca.cert);
    const out = openSync(join(dir, "pebble.log"), "a");
    p.children.push(
      spawn(
        "/usr/bin/pebble-challtestsrv",
        [
          "-defaultIPv4",
          "127.0.0.1",
          "-defaultIPv6",
          "",
          "-dns01",
          `127.0.0.1:${dnsPort}`,
          "-http01",
          "",
          "-https01",
          "",
          "-tlsalpn01",
          "",
          "-management",
          `127.0.0.1:${challMgmt}`,
        ],
        { stdio: ["ignore", out, out] },
      ),
    );
    p.children.push(
      spawn("/usr/bin/pebble", ["-config", join(dir, "pebble.json"), "-dnsserver", `127.0.0.1:${dnsPort}`], {
        stdio: ["ignore", out, out],
        env: { ...process.env, PEBBLE_VA_NOSLEEP: "1" },
      }),
    );
    try {
      await waitFor("Pebble's directory", async () => (await p.get(p.port, "/dir")).includes("newOrder"), 15_000, 100);
    } catch (e) {
      await p.close();
      throw new Error(`${(e as Error).message}\n${p.log.slice(-2000)}`, { cause: e });
    }
    return p;
  }

  /** The root that signs issued certificates (it changes at every Pebble start). */
  root(): Promise<string> {
    return this.get(this.mgmtPort, "/roots/0");
  }

  private get(port: number, path: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = https.get({ host: "localhost", port, path, ca: this.ca, agent: false, timeout: 5000 }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve(body));
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", reject);
    });
  }

  async close(): Promise<void> {
    for (const c of this.children) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      const exited = new Promise((r) => c.once("exit", r));
      c.kill("SIGTERM");
      const t = setTimeout(() => c.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Test hostnames in /etc/hosts (the self-check and HTTPS clients use the
 * system resolver), each line marked, and exactly those lines removed by the
 * returned function: other engineers' tests share this file.
 */
export function addHosts(names: string[]): () => void {
  const mark = `# yadokari-test ${process.pid}`;
  const lines = names.map((n) => `127.0.0.1 ${n} ${mark}`);
  const before = readFileSync("/etc/hosts", "utf8");
  appendFileSync(
    "/etc/hosts",
    (before.endsWith("\n") || before === "" ? "" : "\n") + lines.map((l) => `${l}\n`).join(""),
  );
  return () => {
    const mine = new Set(lines);
    const kept = readFileSync("/etc/hosts", "utf8")
      .split("\n")
      .filter((l) => !mine.has(l));
    writeFileSync("/etc/hosts", kept.join("\n"));
  };
}
