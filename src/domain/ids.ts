/**
 * The one pattern of each identifier the API, the manifests and the stores
 * share. The API's schemas (src/api/schemas/ids.ts) wrap these with the
 * domain validators' messages; nothing else writes these expressions again.
 */

/** App names: a lowercase DNS label of 1 to 30 characters, starting with a letter, not ending with '-'. */
export const APP_NAME = /^[a-z](?:[a-z0-9-]{0,28}[a-z0-9])?$/;
export const APP_NAME_MAX = 30;

/** A full git commit id: 40 lowercase hex digits (SHA-1). */
export const COMMIT_SHA = /^[0-9a-f]{40}$/;

/** Cron job names (app.json `cron[].name`): lowercase letters, digits and '-', at most 63. */
export const JOB_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Process types (Heroku's Procfile rule): letters, digits, '_' and '-', at most 63, starting with a letter or
 * digit (a leading '-' reads as an option wherever a name is passed on).
 */
export const PROCESS_TYPE = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$/;

/** One-off run ids: Docker's full container id. */
export const RUN_ID = /^[0-9a-f]{64}$/;

/** Release versions in paths: "v7" or "7". */
export const RELEASE_VERSION = /^v?(\d{1,9})$/;

/**
 * Personal API token names: letters, digits, spaces and . _ : @ -, at most 64, starting with a letter or digit
 * (a name starting with '-' or '.' reads as an option or a hidden file wherever it is shown or passed on).
 */
export const TOKEN_NAME = /^[A-Za-z0-9][\w .:@-]{0,63}$/;
export const TOKEN_NAME_RULE = "1 to 64 letters, digits, spaces and . _ : @ -, starting with a letter or digit";

/** Database row ids in paths (deploys, cron runs, tokens). */
export const ROW_ID = /^[1-9][0-9]{0,14}$/;
