import { statfsSync } from "node:fs";
import { lookup } from "node:dns/promises";
import net from "node:net";
import { networkInterfaces } from "node:os";
import type { DoctorFacts, DiskFacts } from "./doctor.js";
import type { Operations } from "./operations.js";
import type { HaproxyRouter } from "../router/haproxy-router.js";
import type { CertStore } from "../certs/cert-store.js";
import type { CronStore } from "../cron/cron-store.js";
import type { Store } from "../store/store.js";
import type { BackupRecord } from "./backup/state.js";

export interface DoctorDeps {
  ops: Operations;
  store: Store;
  cron: CronStore;
  router: HaproxyRouter;
  certStore: CertStore;
  dataDir: string;
  domain: string;
  /** the router's listeners, as configured ("0.0.0.0:80") */
  listeners: { what: string; listen: string }[];
  dockerInfo: () => Promise<{ version: string; apiVersion: string; systemTime: string | null; rootDir: string | null }>;
  backups: () => { scheduled: boolean; everyHours: number | null; last: BackupRecord | null };
}

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> => {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => (t = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))),
  ]);
};

function disk(path: string, what: string): DiskFacts | null {
  try {
    const s = statfsSync(path);
    return {
      path,
      what,
      freeBytes: s.bavail * s.bsize,
      totalBytes: s.blocks * s.bsize,
      freeInodes: s.ffree,
      totalInodes: s.files,
    };
  } catch {
    return null; // e.g. Docker's root in another mount namespace (a private dockerd)
  }
}

function canConnect(listen: string, timeoutMs = 2000): Promise<boolean> {
  const i = listen.lastIndexOf(":");
  let host = listen.slice(0, i).replace(/^\[|\]$/g, "");
  if (host === "0.0.0.0" || host === "") host = "127.0.0.1";
  if (host === "::") host = "::1";
  const port = Number(listen.slice(i + 1));
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

/** Gathers what doctor judges; every probe is bounded and none changes anything. */
export async function gatherDoctorFacts(d: DoctorDeps): Promise<DoctorFacts> {
  const dockerFacts = await within(d.dockerInfo(), 5000, "docker info").then(
    (i) => i,
    (e: Error) => ({ error: e.message }),
  );
  let running = false;
  let drift: string[];
  try {
    await within(d.router.info(), 3000, "router");
    running = true;
    drift = await within(d.ops.routerDrift(), 5000, "router state");
  } catch (e) {
    drift = running ? [(e as Error).message] : [];
  }
  const disks = [disk(d.dataDir, "data directory")];
  if (!("error" in dockerFacts) && dockerFacts.rootDir) disks.push(disk(dockerFacts.rootDir, "Docker's data root"));
  const probe = `yadokari-doctor.${d.domain}`;
  const dns = await within(lookup(probe, { all: true }), 3000, "DNS").then(
    (r) => ({ name: probe, addresses: r.map((a) => a.address), error: null }),
    (e: NodeJS.ErrnoException) => ({ name: probe, addresses: [], error: e.code ?? e.message }),
  );
  const cron = d.cron;
  const apps = "error" in dockerFacts ? [] : await d.ops.serving().catch(() => []);
  return {
    docker:
      "error" in dockerFacts
        ? dockerFacts
        : {
            version: dockerFacts.version,
            apiVersion: dockerFacts.apiVersion,
            systemTimeMs: dockerFacts.systemTime ? Date.parse(dockerFacts.systemTime) : null,
          },
    router: { running, drift, rejectedCertificates: d.router.rejectedCertificates() },
    disks: disks.filter((x): x is DiskFacts => x !== null),
    clockMs: Date.now(),
    ports: await Promise.all(
      d.listeners.map(async (l) => ({ what: l.what, address: l.listen, open: await canConnect(l.listen) })),
    ),
    domain: d.domain,
    dns,
    localAddresses: Object.values(networkInterfaces())
      .flat()
      .map((n) => n?.address ?? "")
      .filter(Boolean),
    certificates: d.certStore.all().map((c) => ({ names: c.names, notAfter: c.notAfter, source: c.source })),
    apps: apps.map((a) => ({ app: a.app, serving: a.serving, missing: a.missing })),
    cron: d.store.listApps().flatMap((a) =>
      [...cron.lastRuns(a.name).values()].map((r) => ({
        app: a.name,
        job: r.job,
        status: r.status,
        finishedAt: r.finishedAt,
      })),
    ),
    backups: (() => {
      const b = d.backups();
      return {
        scheduled: b.scheduled,
        everyHours: b.everyHours,
        last: b.last ? { ok: b.last.ok, at: b.last.at, message: b.last.message } : null,
      };
    })(),
  };
}
