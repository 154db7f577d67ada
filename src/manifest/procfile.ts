import { AppError } from "../errors/app-error.js";

const LINE = /^([a-zA-Z0-9_-]+):\s*(.*)$/;
/** Labels of one-off containers; a process type of that name would be mistaken for them. */
const RESERVED = new Set(["run", "cron"]);

/**
 * Heroku's Procfile: `type: command` lines. Errors carry the line number so
 * the build log points at the mistake.
 */
export function parseProcfile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const seen: Record<string, number> = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    if (/^(<{7}|={7}|>{7})/.test(line)) {
      throw new AppError(
        "invalid_manifest",
        `Procfile line ${n}: merge-conflict marker ${JSON.stringify(line.slice(0, 7))}`,
        "Resolve the merge conflict in the Procfile and deploy again.",
      );
    }
    const m = LINE.exec(line);
    if (!m)
      throw new AppError(
        "invalid_manifest",
        `Procfile line ${n}: expected 'type: command', got ${JSON.stringify(line.slice(0, 80))}`,
      );
    const [, type, command] = m;
    if (type.length > 63)
      throw new AppError(
        "invalid_manifest",
        `Procfile line ${n}: process type ${JSON.stringify(type)} is longer than 63 characters`,
      );
    if (command.trim() === "")
      throw new AppError("invalid_manifest", `Procfile line ${n}: process type '${type}' has no command`);
    if (RESERVED.has(type))
      throw new AppError(
        "invalid_manifest",
        `Procfile line ${n}: '${type}' is reserved for ${type === "run" ? "one-off" : "cron"} containers; name the process type differently`,
      );
    if (seen[type])
      throw new AppError(
        "invalid_manifest",
        `Procfile line ${n}: process type '${type}' is already defined on line ${seen[type]}`,
      );
    seen[type] = n;
    out[type] = command.trim();
  });
  return out;
}
