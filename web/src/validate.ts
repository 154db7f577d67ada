/** The server's rules, checked in the form first (the server checks again and its message is shown too). */
export function appNameProblem(name: string): string | null {
  if (!/^[a-z][a-z0-9-]{0,29}$/.test(name) || name.endsWith("-")) return "Use 1 to 30 lowercase letters, digits and '-', starting with a letter and not ending with '-'.";
  return null;
}
export function configKeyProblem(key: string): string | null {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(key)) return "Use letters, digits and '_', not starting with a digit (POSIX environment variable names).";
  return null;
}
export function hostnameProblem(host: string): string | null {
  const labels = host.toLowerCase().split(".");
  if (host.length > 253 || labels.length < 2 || labels.some((l) => !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l))) return "Use a hostname such as www.example.com.";
  return null;
}
