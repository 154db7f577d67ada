/**
 * `yk doctor`: each check turns facts gathered on the host into ok, warn or
 * fail, with what to do. Pure: doctor-facts.ts gathers, this judges, so the
 * rules are tested without a host in trouble.
 */
export type CheckStatus = "ok" | "warn" | "fail";

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  /** what to do; empty when ok */
  fix: string;
}

export interface DiskFacts {
  path: string;
  what: string;
  freeBytes: number;
  totalBytes: number;
  freeInodes: number;
  totalInodes: number;
}

export interface DoctorFacts {
  docker: { version: string; apiVersion: string; systemTimeMs: number | null } | { error: string };
  router: { running: boolean; drift: string[]; rejectedCertificates: { name: string; reason: string }[] };
  disks: DiskFacts[];
  clockMs: number;
  /** the router's listeners: address and whether a TCP connect succeeded */
  ports: { what: string; address: string; open: boolean }[];
  domain: string;
  /** addresses <probe>.<domain> resolved to, or the resolver's error */
  dns: { name: string; addresses: string[]; error: string | null };
  /** addresses of this host's interfaces */
  localAddresses: string[];
  certificates: { names: string[]; notAfter: number; source: string }[];
  apps: { app: string; serving: boolean; missing: string[] }[];
  cron: { app: string; job: string; status: string; finishedAt: string | null }[];
  backups: { scheduled: boolean; last: { ok: boolean; at: string; message: string } | null; everyHours: number | null };
}

export interface Watermarks {
  /** fail below this share of free bytes or inodes (percent) */
  failPct: number;
  /** warn below this one */
  warnPct: number;
  /** warn when certificates expire within this many days */
  certDays: number;
  /** fail when the clocks differ by more than this many seconds */
  clockSkewSec: number;
}

export const DEFAULT_WATERMARKS: Watermarks = { failPct: 5, warnPct: 15, certDays: 14, clockSkewSec: 5 };

const ok = (name: string, detail: string): Check => ({ name, status: "ok", detail, fix: "" });
const pct = (free: number, total: number) => (total > 0 ? (100 * free) / total : 100);
const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
const DAY = 86_400_000;

export function diagnose(f: DoctorFacts, w: Watermarks = DEFAULT_WATERMARKS): Check[] {
  const checks: Check[] = [];
  // Docker
  if ("error" in f.docker)
    checks.push({
      name: "docker",
      status: "fail",
      detail: `the Docker engine does not answer: ${f.docker.error}`,
      fix: "Start dockerd (systemctl start docker, or 'npm run up' here) and check /var/run/docker.sock.",
    });
  else checks.push(ok("docker", `Docker ${f.docker.version} (API ${f.docker.apiVersion})`));
  // router
  if (!f.router.running)
    checks.push({
      name: "router",
      status: "fail",
      detail: "HAProxy is not running: no app is served",
      fix: "The server restarts it within 2 s; if it does not, read DATA_DIR/router/haproxy.log (a port in use?).",
    });
  else if (f.router.drift.length)
    checks.push({
      name: "router",
      status: "fail",
      detail: `HAProxy does not serve what the store says: ${f.router.drift.join("; ")}`,
      fix: "Run doctor again in a few seconds (a deploy may be applying it); if it stays, read the server log for router errors.",
    });
  else checks.push(ok("router", "HAProxy runs with the config and servers the store implies"));
  for (const c of f.router.rejectedCertificates)
    checks.push({
      name: "certificates",
      status: "fail",
      detail: `the router left out certificate ${c.name}: ${c.reason}`,
      fix: "Upload a valid one ('yk certs:add -a APP CERT KEY') or remove it ('yk certs:remove').",
    });
  // disks
  for (const d of f.disks) {
    const bytes = pct(d.freeBytes, d.totalBytes);
    const inodes = pct(d.freeInodes, d.totalInodes);
    const low = Math.min(bytes, inodes);
    const detail = `${d.what} (${d.path}): ${gib(d.freeBytes)} free (${bytes.toFixed(0)} %), ${inodes.toFixed(0)} % inodes free`;
    if (low < w.warnPct)
      checks.push({
        name: "disk",
        status: low < w.failPct ? "fail" : "warn",
        detail,
        fix: "Free space: old images ('docker image prune' removes only unused ones), logs, backups past their retention; builds and deploys fail on a full disk.",
      });
    else checks.push(ok("disk", detail));
  }
  // clock
  if (!("error" in f.docker) && f.docker.systemTimeMs !== null) {
    const skew = Math.abs(f.clockMs - f.docker.systemTimeMs) / 1000;
    if (skew > w.clockSkewSec)
      checks.push({
        name: "clock",
        status: "fail",
        detail: `this host's clock and the Docker engine's differ by ${skew.toFixed(0)} s`,
        fix: "Synchronize the clocks (systemd-timesyncd, chrony): certificates, cron schedules and TTLs rely on them.",
      });
    else checks.push(ok("clock", `${new Date(f.clockMs).toISOString()}, Docker's within ${skew.toFixed(1)} s`));
  }
  // ports
  for (const p of f.ports)
    checks.push(
      p.open
        ? ok("ports", `${p.what} listens on ${p.address}`)
        : {
            name: "ports",
            status: "fail",
            detail: `${p.what}: nothing answers on ${p.address}`,
            fix: "Read DATA_DIR/router/haproxy.log: another program may hold the port, or binding below 1024 needs root.",
          },
    );
  // DNS of the base domain
  if (f.dns.error || f.dns.addresses.length === 0)
    checks.push({
      name: "dns",
      status: "warn",
      detail: `${f.dns.name} does not resolve (${f.dns.error ?? "no address"}): apps at *.${f.domain} cannot be reached by name`,
      fix: `Point a wildcard DNS record *.${f.domain} (A/AAAA) at this host, or start the server with --domain set to a domain that does.`,
    });
  else if (!f.dns.addresses.some((a) => f.localAddresses.includes(a) || a.startsWith("127.") || a === "::1"))
    checks.push({
      name: "dns",
      status: "warn",
      detail: `${f.dns.name} resolves to ${f.dns.addresses.join(", ")}, not an address of this host`,
      fix: `Check the wildcard record *.${f.domain}: behind a load balancer or NAT this is expected.`,
    });
  else checks.push(ok("dns", `${f.dns.name} resolves to ${f.dns.addresses.join(", ")}`));
  // certificates
  for (const c of f.certificates) {
    const days = (c.notAfter - f.clockMs) / DAY;
    if (days < 0)
      checks.push({
        name: "certificates",
        status: "fail",
        detail: `the certificate for ${c.names.join(", ")} expired ${Math.ceil(-days)} days ago`,
        fix:
          c.source === "acme"
            ? "Renewal keeps failing: 'yk certs:attempts HOSTNAME' says why (DNS, port 80 not reachable)."
            : "Upload a new one: yk certs:add -a APP CERT.pem KEY.pem",
      });
    else if (days < w.certDays)
      checks.push({
        name: "certificates",
        status: "warn",
        detail: `the certificate for ${c.names.join(", ")} expires in ${days.toFixed(0)} days`,
        fix:
          c.source === "acme"
            ? "Automatic renewal starts at a third of the lifetime left: 'yk certs:attempts HOSTNAME' shows its attempts."
            : "Upload its successor: yk certs:add -a APP CERT.pem KEY.pem",
      });
  }
  if (f.certificates.length && !checks.some((c) => c.name === "certificates"))
    checks.push(ok("certificates", `${f.certificates.length} certificates, none expiring within ${w.certDays} days`));
  // apps
  const down = f.apps.filter((a) => !a.serving);
  for (const a of down)
    checks.push({
      name: "apps",
      status: "fail",
      detail: `${a.app}: its live release is not fully running (${a.missing.join(", ")})`,
      fix: `'yk ps -a ${a.app}' and 'yk logs -a ${a.app}' show why (a crash loop backs off up to 5 min); 'yk ps:restart -a ${a.app}' starts it afresh.`,
    });
  if (!down.length) checks.push(ok("apps", `${f.apps.length} apps serving their live release`));
  // cron
  for (const r of f.cron.filter((x) => x.status === "failed" || x.status === "timed_out"))
    checks.push({
      name: "cron",
      status: "warn",
      detail: `${r.app}: the last run of cron job ${r.job} ${r.status === "failed" ? "failed" : "timed out"}${r.finishedAt ? ` (${r.finishedAt})` : ""}`,
      fix: `'yk cron:runs -a ${r.app} ${r.job}' shows its output; fix the job or the app and deploy again.`,
    });
  // backups
  const b = f.backups;
  if (b.last && !b.last.ok)
    checks.push({
      name: "backups",
      status: "fail",
      detail: `the last backup (${b.last.at}) failed: ${b.last.message}`,
      fix: "Fix the cause (disk space, target, passphrase file) and run 'yk backup' to check; 'yk backup:schedule' shows the schedule.",
    });
  else if (!b.scheduled)
    checks.push({
      name: "backups",
      status: "warn",
      detail: b.last
        ? `no scheduled backups (the last one: ${b.last.at})`
        : "no backup has been made and none is scheduled",
      fix: "A lost host is restored from a backup: 'yk backup:schedule --every 24h --keep 7 --to /var/backups/yadokari'.",
    });
  else if (b.everyHours !== null && b.last && f.clockMs - Date.parse(b.last.at) > 2 * b.everyHours * 3_600_000)
    checks.push({
      name: "backups",
      status: "fail",
      detail: `the last backup is from ${b.last.at}, more than twice the schedule's ${b.everyHours} h ago`,
      fix: "Check the server log for backup errors and that the server runs; 'yk backup' makes one now.",
    });
  else checks.push(ok("backups", b.last ? `the last backup: ${b.last.at}` : "scheduled; none made yet"));
  return checks;
}

/** Failures make doctor exit non-zero; warnings are printed only. */
export const hasFailures = (checks: Check[]) => checks.some((c) => c.status === "fail");
