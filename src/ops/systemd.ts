/**
 * The systemd units `npm run up` installs where systemd is PID 1. Pure: paths
 * in, unit text out (checked by `systemd-analyze verify` in a test).
 *
 * - yadokari-router.service starts HAProxy at boot with the config Yadokari
 *   rendered last, before (and without) the server, once Docker has started
 *   the app containers again; `router:check` first makes sure every server in
 *   that config is still the running container at that address (after a
 *   reboot Docker may hand addresses out in another order: a request must
 *   never reach another app's container). If not, the server starts HAProxy
 *   once it has rendered the config again. The server supervises HAProxy from
 *   then on (the unit does not restart it: two supervisors would race).
 * - yadokari.service runs the server, restarted on failure. KillMode=process:
 *   stopping or upgrading the server never stops an HAProxy it started.
 */
export interface UnitPaths {
  node: string;
  /** dist/src/main/cli.js */
  cli: string;
  dataDir: string;
  /** YADOKARI_* settings, read by both units */
  envFile: string;
  haproxy: string;
}

export function renderUnits(p: UnitPaths): Record<"yadokari.service" | "yadokari-router.service", string> {
  const router = `${p.dataDir}/router`;
  return {
    "yadokari-router.service": `[Unit]
Description=Yadokari router: HAProxy with the last rendered config (serves apps before the server runs)
After=network-online.target docker.service
Wants=network-online.target
ConditionPathExists=${router}/haproxy.cfg

[Service]
Type=notify
EnvironmentFile=-${p.envFile}
ExecStartPre=${p.node} ${p.cli} router:check --data-dir ${p.dataDir}
ExecStart=${p.haproxy} -Ws -S ${router}/master.sock,mode,600 -f ${router}/haproxy.cfg
ExecReload=/bin/kill -USR2 $MAINPID
KillMode=mixed
Restart=no
LimitNOFILE=65536
StandardOutput=append:${router}/haproxy.log
StandardError=append:${router}/haproxy.log

[Install]
WantedBy=multi-user.target
`,
    "yadokari.service": `[Unit]
Description=Yadokari server: API, builds, deploys, router control
After=network-online.target docker.service yadokari-router.service
Wants=network-online.target docker.service yadokari-router.service

[Service]
Type=simple
EnvironmentFile=-${p.envFile}
Environment=YADOKARI_DATA_DIR=${p.dataDir}
ExecStart=${p.node} ${p.cli} server
KillMode=process
TimeoutStopSec=90
Restart=on-failure
RestartSec=2
LimitNOFILE=65536
StandardOutput=append:${p.dataDir}/server.log
StandardError=append:${p.dataDir}/server.log

[Install]
WantedBy=multi-user.target
`,
  };
}

/** systemd runs this machine (PID 1), so units can be installed; in containers and CI it does not. */
export function systemdIsInit(comm: string): boolean {
  return comm.trim() === "systemd";
}
