import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Docker from "dockerode";
import { freePort } from "./ports.js";
import { waitFor } from "./http.js";
import { packTarGz } from "../../src/cli/pack.js";

export const ROOT = resolve(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "../../..");
export const FIXTURES = join(ROOT, "test/fixtures/apps");
const CLI = join(ROOT, "dist/src/main/cli.js");
export const docker = new Docker({ socketPath: "/var/run/docker.sock" });

/**
 * A real Yadokari server as a child process (so tests can SIGKILL it), with
 * its own data dir, API port and router port on 127.0.0.1. Everything it
 * created is removed by close(): its HAProxy (by the pid in its pid file),
 * the containers and images labelled with its apps, the data dir.
 */
export class TestServer {
  child: ChildProcess | null = null;
  token = "";
  readonly apps = new Set<string>();
  log = "";
  /** the address the API and the router listen on (a network namespace's, for a server run inside one) */
  host = "127.0.0.1";
  /** argv before node, e.g. ["nsenter", "--net=/var/run/netns/X"] to run the server inside a namespace */
  prefix: string[] = [];

  private constructor(
    readonly dataDir: string,
    readonly apiPort: number,
    readonly httpPort: number,
    readonly domain: string,
    readonly env: Record<string, string> = {},
    /** The router's HTTPS port; null: --https-listen off. */
    readonly httpsPort: number | null = null,
    /** Extra server flags (e.g. --acme-directory). */
    readonly args: string[] = [],
  ) {}

  /**
   * `env` is added to the server's environment (e.g. YADOKARI_STORAGE_ROOTS).
   * Every test server gets its own free HTTPS port (several run on this
   * machine at once and would fight over 443), or none with `https: false`.
   */
  static async start(
    opts: {
      env?: Record<string, string>;
      https?: boolean;
      domain?: string;
      args?: string[];
      httpPort?: number;
      /** an existing data dir (a restored backup, a store fixture); close() removes it like its own */
      dataDir?: string;
      /** run inside a network namespace: its address, the argv prefix, fixed ports (the namespace's are all free) */
      netns?: { host: string; prefix: string[]; apiPort: number; httpPort: number };
    } = {},
  ): Promise<TestServer> {
    const s = new TestServer(
      opts.dataDir ?? mkdtempSync(join(tmpdir(), "yk-it-")),
      opts.netns?.apiPort ?? (await freePort()),
      opts.netns?.httpPort ?? opts.httpPort ?? (await freePort()),
      opts.domain ?? "yk.test",
      opts.env,
      opts.https === false ? null : await freePort(),
      opts.args ?? [],
    );
    if (opts.netns) {
      s.host = opts.netns.host;
      s.prefix = opts.netns.prefix;
    }
    try {
      await s.spawn();
    } catch (e) {
      await s.close(); // a server that never answered still may have started HAProxy
      throw e;
    }
    return s;
  }

  get url(): string {
    return `http://${this.host}:${this.apiPort}`;
  }

  get logPath(): string {
    return join(this.dataDir, "server.log");
  }

  async spawn(): Promise<void> {
    const out = openSync(this.logPath, "a");
    const [bin, ...pre] = this.prefix.length ? [...this.prefix, process.execPath] : [process.execPath];
    this.child = spawn(
      bin,
      [
        ...pre,
        CLI,
        "server",
        "--data-dir",
        this.dataDir,
        "--api-listen",
        `${this.host}:${this.apiPort}`,
        "--http-listen",
        `${this.host}:${this.httpPort}`,
        "--domain",
        this.domain,
        "--https-listen",
        this.httpsPort === null ? "off" : `${this.host}:${this.httpsPort}`,
        ...this.args,
      ],
      {
        stdio: ["ignore", out, out],
        env: { ...process.env, YADOKARI_DRAIN_TIMEOUT: "5", YADOKARI_STOP_TIMEOUT: "5", ...this.env },
      },
    );
    const child = this.child;
    await waitFor(
      "the server's health endpoint",
      async () => {
        if (child.exitCode !== null)
          throw new Error(`server exited: ${readFileSync(this.logPath, "utf8").slice(-2000)}`);
        const r = await fetch(`${this.url}/api/v1/health`);
        return r.ok;
      },
      30000,
    );
    this.token = readFileSync(join(this.dataDir, "admin-token"), "utf8").trim();
  }

  /** SIGKILL, as a crash would. HAProxy keeps running. */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGTERM");
    const t = setTimeout(() => c.kill("SIGKILL"), 15000);
    await exited;
    clearTimeout(t);
  }

  routerPid(): number | null {
    const p = join(this.dataDir, "router", "haproxy.pid");
    if (!existsSync(p)) return null;
    const n = Number(readFileSync(p, "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(n) && n > 0 ? n : null;
  }

  async api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const r = await fetch(`${this.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* text body */
    }
    return { status: r.status, body: parsed as T };
  }

  async createApp(name: string): Promise<void> {
    this.apps.add(name);
    const r = await this.api("POST", "/apps", { name });
    if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  }

  /** Uploads a fixture (or any dir) as a build and waits for the deploy to finish. */
  async deploy(app: string, dir: string, opts: { wait?: boolean } = {}): Promise<any> {
    const { data } = await packTarGz(dir);
    const r = await fetch(`${this.url}/api/v1/apps/${app}/builds`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.token}`, "content-type": "application/gzip" },
      body: new Uint8Array(data),
    });
    const created = (await r.json()) as any;
    if (r.status !== 202) throw new Error(`build ${app}: ${r.status} ${JSON.stringify(created)}`);
    if (opts.wait === false) return created;
    return this.waitDeploy(app, created.id);
  }

  async waitDeploy(app: string, id: number, ms = 120000): Promise<any> {
    return waitFor(
      `deploy #${id} of ${app} to finish`,
      async () => {
        const d = (await this.api("GET", `/apps/${app}/deploys/${id}`)).body;
        return d.status === "succeeded" || d.status === "failed" ? d : null;
      },
      ms,
      100,
    );
  }

  /** Stops the server and its HAProxy, removes what its apps left in Docker and the data dir. */
  async close(): Promise<void> {
    await this.stop();
    const pid = this.routerPid();
    if (pid) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        /* already gone */
      }
    }
    for (const app of this.apps) await removeAppLeftovers(app);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export async function appContainers(app: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`yadokari.app=${app}`] } });
}

export async function removeAppLeftovers(app: string): Promise<void> {
  for (const c of await appContainers(app))
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  for (const i of await docker.listImages({ filters: { label: [`yadokari.app=${app}`] } }))
    await docker
      .getImage(i.Id)
      .remove({ force: true })
      .catch(() => {});
}

/** A name unique to this test run, so parallel or leftover runs never collide. */
export const uniqueApp = (prefix: string) =>
  `${prefix}-${process.pid.toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`.slice(0, 30);
