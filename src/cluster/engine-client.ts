import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import https from "node:https";
import Docker from "dockerode";
import { engineConnectOptions, parseDockerHost, type EngineEnv } from "./docker-host.js";

/**
 * A dockerode client for the engine DOCKER_HOST names (the local socket by
 * default), as the docker CLI connects. The variables are settings, read
 * once at start (src/main/settings.ts).
 */
export function dockerFromEnv(env: EngineEnv): Docker {
  const o = engineConnectOptions(parseDockerHost(env, homedir()), (p) => readFileSync(p));
  if (o.socketPath) return new Docker({ socketPath: o.socketPath });
  const { rejectUnauthorized, ...rest } = o;
  return new Docker({
    ...rest,
    // docker-modem has no switch for an unverified server certificate: an agent carries it (DOCKER_TLS without VERIFY).
    ...(rejectUnauthorized === false ? { agent: new https.Agent({ rejectUnauthorized: false }) } : {}),
  } as Docker.DockerOptions);
}
