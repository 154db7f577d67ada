/** Limits on an uploaded build context, checked while it expands (src/build/context-check.ts). */
export interface BuildLimits {
  /** the context's size once decompressed (YADOKARI_BUILD_MAX_CONTEXT_BYTES) */
  maxContextBytes: number;
  /** files, directories and links in it (YADOKARI_BUILD_MAX_ENTRIES) */
  maxEntries: number;
}

/** What a build may take and do; from the server's settings (src/main/settings.ts), in EngineContext.build. */
export interface BuildSettings {
  limits: BuildLimits;
  /** a build running longer is stopped (YADOKARI_BUILD_TIMEOUT, seconds) */
  timeoutSec: number;
  /** approved base images (YADOKARI_BUILD_BASE_IMAGES, plus yadokari-local/*) */
  baseImages: string[];
}

export const DEFAULT_MAX_CONTEXT_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_MAX_ENTRIES = 100_000;
export const DEFAULT_BUILD_TIMEOUT_SEC = 1800;
