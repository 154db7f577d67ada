/**
 * What every app container runs without (docs/security.md says why):
 * - no-new-privileges: a setuid binary in the image cannot raise privileges;
 * - Docker's default capabilities minus the ones apps never need: NET_RAW
 *   (raw sockets: spoofing and sniffing on the shared network), MKNOD (device
 *   nodes), AUDIT_WRITE, SETFCAP and SETPCAP (handing capabilities around),
 *   SYS_CHROOT; CHOWN, SETUID/SETGID (entrypoints that drop to a user),
 *   NET_BIND_SERVICE (ports below 1024) and the like stay;
 * - a pids limit, so a fork bomb stops at its own container
 *   (YADOKARI_PIDS_LIMIT, src/main/settings.ts).
 * Never privileged, never the Docker socket (src/storage refuses it).
 */
export const DROPPED_CAPABILITIES = ["NET_RAW", "MKNOD", "AUDIT_WRITE", "SETFCAP", "SETPCAP", "SYS_CHROOT"] as const;
export const DEFAULT_PIDS_LIMIT = 1024;
/** Fewer would not start a shell with a few children. */
export const MIN_PIDS_LIMIT = 16;

export interface Hardening {
  SecurityOpt: string[];
  CapDrop: string[];
  PidsLimit: number;
  Privileged: false;
}

export function hardening(pidsLimit: number): Hardening {
  return {
    SecurityOpt: ["no-new-privileges"],
    CapDrop: [...DROPPED_CAPABILITIES],
    PidsLimit: pidsLimit,
    Privileged: false,
  };
}
