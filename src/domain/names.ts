import { AppError } from "../errors/app-error.js";
import { APP_NAME, APP_NAME_MAX, PROCESS_TYPE } from "./ids.js";

const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** App names become DNS labels, image names, container names and HAProxy backend names. */
export function validateAppName(name: unknown): string {
  if (typeof name !== "string" || name.length > APP_NAME_MAX || !APP_NAME.test(name)) {
    throw new AppError(
      "invalid_name",
      `invalid app name ${JSON.stringify(typeof name === "string" ? name.slice(0, 60) : name)}: an app name must be a lowercase DNS label of 1 to 30 characters (a-z, 0-9 and '-', starting with a letter, not ending with '-')`,
    );
  }
  return name;
}

/** Hostnames go into the router's map file and HAProxy commands: only plain DNS names pass. */
export function validateHostname(host: unknown): string {
  if (typeof host !== "string") throw new AppError("invalid_domain", "a hostname must be a string");
  const h = host.toLowerCase();
  const labels = h.split(".");
  if (h.length < 1 || h.length > 253 || labels.some((l) => l.length > 63 || !LABEL.test(l))) {
    throw new AppError(
      "invalid_domain",
      `invalid hostname ${JSON.stringify(host.slice(0, 80))}: it must be DNS labels (a-z, 0-9, '-') separated by dots, each at most 63 characters, 253 in all`,
    );
  }
  return h;
}

/** Process types follow Heroku's Procfile rule. */
export function validateProcessType(name: string): string {
  if (!PROCESS_TYPE.test(name)) {
    throw new AppError(
      "invalid_manifest",
      `invalid process type ${JSON.stringify(name.slice(0, 80))}: use letters, digits, '_' and '-', starting with a letter or digit (at most 63)`,
    );
  }
  return name;
}

export const backendName = (app: string, process: string) => `app_${app}_${process}`;
export const imageRepo = (app: string) => `yadokari/${app}`;
export const defaultHostname = (app: string, domain: string) => `${app}.${domain}`;
