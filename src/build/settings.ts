import { baseImagesSetting } from "./dockerfile-policy.js";

/** Limits on an uploaded build context, checked while it expands (src/build/context-check.ts). */
export interface BuildLimits {
  /** the context's size once decompressed (YADOKARI_BUILD_MAX_CONTEXT_BYTES, default 1 GiB) */
  maxContextBytes: number;
  /** files, directories and links in it (YADOKARI_BUILD_MAX_ENTRIES, default 100,000) */
  maxEntries: number;
}

export interface BuildSettings {
  limits: BuildLimits;
  /** a build running longer is stopped (YADOKARI_BUILD_TIMEOUT, seconds, default 1800) */
  timeoutSec: number;
  /** approved base images (YADOKARI_BUILD_BASE_IMAGES, plus yadokari-local/*) */
  baseImages: string[];
}

export const DEFAULT_MAX_CONTEXT_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_MAX_ENTRIES = 100_000;
export const DEFAULT_BUILD_TIMEOUT_SEC = 1800;

/** A positive whole number from the environment, or the default when unset or not one. */
export function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value.trim() !== "" && Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

/** Read where it is used, at each build, so a test server's environment applies. */
export function buildSettings(env: NodeJS.ProcessEnv = process.env): BuildSettings {
  return {
    limits: {
      maxContextBytes: positiveInt(env.YADOKARI_BUILD_MAX_CONTEXT_BYTES, DEFAULT_MAX_CONTEXT_BYTES),
      maxEntries: positiveInt(env.YADOKARI_BUILD_MAX_ENTRIES, DEFAULT_MAX_ENTRIES),
    },
    timeoutSec: positiveInt(env.YADOKARI_BUILD_TIMEOUT, DEFAULT_BUILD_TIMEOUT_SEC),
    baseImages: baseImagesSetting(env.YADOKARI_BUILD_BASE_IMAGES),
  };
}
