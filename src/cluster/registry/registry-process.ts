import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import https from "node:https";
import { AppError } from "../../errors/app-error.js";
import { atomicWrite } from "../../lib/atomic-write.js";
import { cmdline, isAlive, readPid, sleep, waitUntil } from "../../router/proc.js";
import type { Keyring } from "../../secrets/keyring.js";
import { registryPaths, renderRegistryConfig, type RegistryPaths } from "./config.js";
import { ensureRegistryCredentials, type RegistryCredentials } from "./credentials.js";
import { ensureRegistryCertificates } from "./tls.js";

export interface RegistryOptions {
  dataDir: string;
  /** the address nodes reach it at (the manager's advertise address, or the host's on the test bridge) */
  address: string;
  port: number;
  keyring: Keyring;
  /** Debian's docker-registry (the distribution project's registry 2.8) */
  bin?: string;
  startTimeoutMs?: number;
}

/**
 * Yadokari's own image registry, so that every node of a swarm can pull
 * yadokari/<app>:<commit> without a registry outside the machine: Debian's
 * docker-registry run as a process beside the server (like HAProxy: detached,
 * adopted through its pid file by the next server, signalled only after
 * checking the pid runs our config), with TLS and basic auth.
 */
export class YadokariRegistry {
  readonly paths: RegistryPaths;
  private readonly bin: string;
  private credentials: RegistryCredentials | null = null;
  private processPid: number | null = null;

  constructor(private readonly opts: RegistryOptions) {
    this.paths = registryPaths(opts.dataDir);
    this.bin = opts.bin ?? "/usr/bin/docker-registry";
  }

  /** HOST:PORT, the prefix of every reference nodes pull */
  get host(): string {
    return `${this.opts.address.includes(":") ? `[${this.opts.address}]` : this.opts.address}:${this.opts.port}`;
  }

  pid(): number | null {
    return this.processPid;
  }

  caPem(): string {
    return readFileSync(this.paths.caCert, "utf8");
  }

  /** Docker's auth for push and for services (X-Registry-Auth); available after ensureRunning(). */
  auth(): { username: string; password: string; serveraddress: string } {
    if (!this.credentials) throw new AppError("internal", "the registry was not started");
    return { ...this.credentials, serveraddress: this.host };
  }

  /** Starts the registry, or adopts the one a previous server started; resolves once it answers over TLS. */
  async ensureRunning(): Promise<"adopted" | "started"> {
    const p = this.paths;
    mkdirSync(p.storage, { recursive: true, mode: 0o700 });
    await ensureRegistryCertificates(p, [this.opts.address]);
    this.credentials = await ensureRegistryCredentials(p, this.opts.keyring);
    const config = renderRegistryConfig(p, `${this.host}`);
    const previous = safeRead(p.config);
    await atomicWrite(p.config, config, { mode: 0o600 });
    const running = this.ownPid();
    if (running !== null && previous === config && (await this.answers())) {
      this.processPid = running;
      return "adopted";
    }
    if (running !== null) await this.stop(); // another config (a new address): restart it
    const log = openSync(p.log, "a");
    const child = spawn(this.bin, ["serve", p.config], { detached: true, stdio: ["ignore", log, log] });
    closeSync(log);
    const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
    child.unref();
    if (!child.pid)
      throw new AppError(
        "registry_failed",
        `cannot start ${this.bin}: ${(await spawnError).message}`,
        "Install Debian's docker-registry (apt-get install docker-registry).",
      );
    this.processPid = child.pid;
    await atomicWrite(p.pid, `${child.pid}\n`);
    const up = await waitUntil(
      async () => (this.processPid !== null && isAlive(this.processPid) ? this.answers() : false),
      this.opts.startTimeoutMs ?? 10_000,
      50,
    );
    if (!up) {
      const tail = safeRead(p.log).slice(-800);
      await this.stop();
      throw new AppError("registry_failed", `the registry did not answer on https://${this.host}/v2/: ${tail.trim()}`);
    }
    return "started";
  }

  /** GET /v2/ with our credentials and CA: 200 when it serves and accepts them. */
  async answers(): Promise<boolean> {
    if (!this.credentials) return false;
    const { username, password } = this.credentials;
    return new Promise((resolve) => {
      const req = https.get(
        {
          host: this.opts.address,
          port: this.opts.port,
          path: "/v2/",
          ca: safeRead(this.paths.caCert),
          auth: `${username}:${password}`,
          timeout: 2000,
          agent: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        },
      );
      req.on("timeout", () => req.destroy());
      req.on("error", () => resolve(false));
    });
  }

  /** SIGTERM by pid (only a registry running our config), SIGKILL after 5 s. */
  async stop(): Promise<void> {
    const pid = this.processPid ?? this.ownPid();
    this.processPid = null;
    if (pid === null || !this.isOurs(pid)) return;
    process.kill(pid, "SIGTERM");
    if (!(await waitUntil(() => !isAlive(pid), 5000))) {
      process.kill(pid, "SIGKILL");
      await waitUntil(() => !isAlive(pid), 2000);
    }
    await sleep(0);
  }

  /** The pid file's process, when it is alive and a registry serving our config file. */
  private ownPid(): number | null {
    const pid = readPid(this.paths.pid);
    return pid !== null && this.isOurs(pid) ? pid : null;
  }

  private isOurs(pid: number): boolean {
    const argv = cmdline(pid);
    return isAlive(pid) && !!argv && argv[0].endsWith("registry") && argv.includes(this.paths.config);
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
