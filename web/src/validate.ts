// The form checks are the server's own rules (src/), bundled into the page, so the two cannot drift;
// the server checks again and its message is shown too.
import { validateAppName, validateHostname } from "../../src/domain/names.js";
import { keyProblem } from "../../src/config-vars/validate.js";

const passes = (check: () => unknown) => {
  try {
    check();
    return true;
  } catch {
    return false;
  }
};

export function appNameProblem(name: string): string | null {
  return passes(() => validateAppName(name))
    ? null
    : "Use 1 to 30 lowercase letters, digits and '-', starting with a letter and not ending with '-'.";
}
export function configKeyProblem(key: string): string | null {
  const p = keyProblem(key);
  return p && `${p.message}. ${p.hint}`;
}
export function hostnameProblem(host: string): string | null {
  try {
    validateHostname(host);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
