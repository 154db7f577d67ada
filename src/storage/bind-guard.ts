import { AppError } from "../errors/app-error.js";
import type { ContainerSpec } from "../docker/port.js";
import { REFUSED_HOST_PATHS } from "./mount-rules.js";
import { ensurePlainDirs, rootOf } from "./host-dirs.js";

/**
 * The last check before Docker creates any container: every bind source is
 * under a storage root and is, at this moment, a chain of plain directories
 * (no link planted since the mount was added; see host-dirs.ts). Ownership
 * was decided when the mount was added; what can change since is the file
 * system, so that is what is checked again, every time. Throws AppError
 * storage_unsafe; nothing is created then.
 */
export function checkBinds(spec: Pick<ContainerSpec, "HostConfig">, roots: readonly string[]): void {
  for (const bind of spec.HostConfig.Binds ?? []) {
    const source = bind.slice(0, bind.indexOf(":"));
    if (!source.startsWith("/")) continue; // a named volume: Docker keeps it in its own directory
    const refused = REFUSED_HOST_PATHS.find(
      (d) => source === d || source.startsWith(d + "/") || d.startsWith(source + "/"),
    );
    if (refused) throw new AppError("storage_unsafe", `storage: ${source} is refused: ${refused} is never mounted`);
    const root = rootOf(source, roots);
    if (root === null || root === source)
      throw new AppError(
        "storage_unsafe",
        `storage: ${source} is not below a storage root (${roots.join(", ") || "none configured"}) any more`,
        "Unmount it ('yk storage:unmount') and mount a directory under a root in YADOKARI_STORAGE_ROOTS.",
      );
    ensurePlainDirs(root, source, "storage_unsafe");
  }
}
