import type Docker from "dockerode";
import { LABEL } from "../docker/port.js";
import { OVERLAY_NETWORK } from "./service-spec.js";

/**
 * The overlay network every app task joins: attachable (one-off runs join it
 * too), labelled as ours. Created once per swarm; idempotent.
 */
export async function ensureOverlay(docker: Docker, name = OVERLAY_NETWORK): Promise<void> {
  const found = await docker.listNetworks({ filters: { name: [name] } });
  if (found.some((n) => n.Name === name)) return;
  try {
    await docker.createNetwork({
      Name: name,
      Driver: "overlay",
      Attachable: true,
      CheckDuplicate: true,
      Labels: { [LABEL.managed]: "true", [LABEL.kind]: "network" },
    });
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 409) throw e; // created concurrently
  }
}
