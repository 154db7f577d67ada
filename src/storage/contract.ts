/** The storage API's shapes (GET/POST /api/v1/apps/:app/storage). */
export interface MountView {
  /** "bind": a host directory; "volume": a Docker named volume */
  type: "bind" | "volume";
  /** the host path or the volume name */
  source: string;
  containerPath: string;
}

export interface MountRequest {
  source: string;
  containerPath: string;
  /** admins only: storage that is not the app's own, shared deliberately */
  shared?: boolean;
}
