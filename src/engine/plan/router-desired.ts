import type { DesiredRouter } from "../../router/types.js";
import type { RoutedServer } from "../../domain/types.js";
import { backendName, defaultHostname } from "../../domain/names.js";

/**
 * The router's desired state from the store: every app has a web backend
 * (even before its first deploy, so a deploy never needs a reload), answers
 * at <app>.<domain> and its custom domains.
 */
export function desiredRouter(input: {
  domain: string;
  apps: { name: string; domains: string[]; stickyKey?: string | null }[];
  servers: RoutedServer[];
}): DesiredRouter {
  const hosts: Record<string, string> = {};
  const backends = input.apps.map((app) => {
    const backend = backendName(app.name, "web");
    hosts[defaultHostname(app.name, input.domain)] = backend;
    for (const d of app.domains) hosts[d] = backend;
    return {
      name: backend,
      servers: input.servers
        .filter((s) => s.app === app.name && s.process === "web")
        .map((s) => ({ name: s.name, address: s.address, port: s.port, weight: s.weight, state: s.state })),
      ...(app.stickyKey ? { sticky: { key: app.stickyKey } } : {}),
    };
  });
  return { hosts, backends };
}
