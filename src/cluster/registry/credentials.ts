import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import bcrypt from "bcryptjs";
import { atomicWrite } from "../../lib/atomic-write.js";
import type { Keyring } from "../../secrets/keyring.js";
import type { RegistryPaths } from "./config.js";

export interface RegistryCredentials {
  username: string;
  password: string;
}

const AAD = "registry:yadokari";
export const REGISTRY_USER = "yadokari";

/**
 * The registry's one account: generated once, its password sealed with the
 * master key beside the store (never in plain text on disk); the htpasswd
 * file the registry reads holds only a bcrypt hash. Swarm hands the
 * credentials to the nodes with each service (X-Registry-Auth), encrypted in
 * its raft log, so no node stores them.
 */
export async function ensureRegistryCredentials(p: RegistryPaths, keyring: Keyring): Promise<RegistryCredentials> {
  if (existsSync(p.credentials) && existsSync(p.htpasswd)) {
    const password = keyring.open(readFileSync(p.credentials, "utf8").trim(), AAD);
    return { username: REGISTRY_USER, password };
  }
  const password = randomBytes(24).toString("base64url");
  const hash = await bcrypt.hash(password, 10);
  await atomicWrite(p.credentials, keyring.seal(password, AAD) + "\n", { mode: 0o600 });
  await atomicWrite(p.htpasswd, `${REGISTRY_USER}:${hash}\n`, { mode: 0o640 });
  return { username: REGISTRY_USER, password };
}
