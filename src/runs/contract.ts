/**
 * The one-off run API's shapes.
 *
 * Attaching: `GET /api/v1/apps/:app/runs/:id/attach[?rows=R&cols=C]` with
 * `Connection: Upgrade`, `Upgrade: tcp` and the bearer token. The server
 * answers `101 Switching Protocols` once the container has started, then the
 * connection carries raw bytes both ways until the container exits:
 * - client → server: the container's stdin. Without a TTY, half-closing the
 *   connection (TCP FIN) closes the container's stdin (EOF).
 * - server → client: with a TTY, the terminal's bytes as they are; without
 *   one, Docker's multiplexed frames, forwarded unchanged: an 8-byte header
 *   (byte 0: 1 = stdout, 2 = stderr; bytes 4-7: payload length, big-endian)
 *   then the payload.
 * When the container has exited, the server records its exit code, removes
 * the container and closes the connection; `GET …/runs/:id` then gives the
 * exit code (kept for 10 minutes).
 */
export interface RunRequest {
  /** argv, passed to the container as is (no shell anywhere) */
  command: string[];
  tty?: boolean;
  detach?: boolean;
}

export interface RunCreated {
  id: string;
  name: string;
}

export interface RunView {
  id: string;
  name: string;
  /** Docker's state (created, running, exited…); "exited" also once an attached run's container was removed */
  state: string;
  exitCode: number | null;
}

/** The upgrade path of a run: /api/v1/apps/<app>/runs/<id>/attach */
export const ATTACH_PATH = /^\/api\/v1\/apps\/([^/]+)\/runs\/([^/]+)\/attach$/;
