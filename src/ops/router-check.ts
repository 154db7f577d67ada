/**
 * Before HAProxy starts at boot from the last rendered config: is every
 * `server NAME ADDR:PORT` in it still the running container NAME at ADDR?
 * After a reboot Docker may give addresses out in another order, and a stale
 * config would send one app's requests to another app's container. Pure.
 */
export interface ConfigServer {
  backend: string;
  name: string;
  address: string;
}

export function serversInConfig(config: string): ConfigServer[] {
  const out: ConfigServer[] = [];
  let backend = "";
  for (const line of config.split("\n")) {
    const b = /^backend\s+(\S+)/.exec(line);
    if (b) backend = b[1];
    const s = /^\s+server\s+(\S+)\s+([0-9a-fA-F.:[\]]+):(\d+)(\s|$)/.exec(line);
    if (s && backend) out.push({ backend, name: s[1], address: s[2].replace(/^\[|\]$/g, "") });
  }
  return out;
}

/** The servers of the config that are not the running container of that name at that address. */
export function staleServers(
  servers: ConfigServer[],
  containers: Map<string, { running: boolean; addresses: string[] }>,
): { server: ConfigServer; why: string }[] {
  const stale: { server: ConfigServer; why: string }[] = [];
  for (const s of servers) {
    const c = containers.get(s.name);
    if (!c) stale.push({ server: s, why: "no such container" });
    else if (!c.running) stale.push({ server: s, why: "not running" });
    else if (!c.addresses.includes(s.address))
      stale.push({ server: s, why: `now at ${c.addresses.join(", ") || "no address"}` });
  }
  return stale;
}
