import { defaultHostname } from "../domain/names.js";

/** The URLs an app answers at through the router. */
export function appUrls(app: string, domain: string, customDomains: string[], httpPort: number): string[] {
  const port = httpPort === 80 ? "" : `:${httpPort}`;
  return [defaultHostname(app, domain), ...customDomains].map((h) => `http://${h}${port}/`);
}
