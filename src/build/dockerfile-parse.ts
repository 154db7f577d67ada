/**
 * The instructions of a Dockerfile as Docker's classic builder reads them:
 * parser directives at the top (`# escape=`), comment lines dropped (also
 * inside a continued instruction), lines joined at the escape character.
 * Pure; only what the build policy needs (no heredocs: the classic builder
 * has none).
 */

export interface Instruction {
  /** upper case: FROM, LABEL, ADD… */
  keyword: string;
  /** everything after the keyword, continuations joined */
  args: string;
  /** 1-based line where the instruction starts */
  line: number;
}

export interface ParsedDockerfile {
  escape: string;
  instructions: Instruction[];
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;

export function parseDockerfile(text: string): ParsedDockerfile {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let escape = "\\";
  let i = 0;
  // Parser directives: only at the very top, before any comment, blank line or instruction.
  const seen = new Set<string>();
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]);
    if (!m) break;
    const name = m[1].toLowerCase();
    if (seen.has(name)) break;
    seen.add(name);
    if (name === "escape" && (m[2] === "`" || m[2] === "\\")) escape = m[2];
  }
  const instructions: Instruction[] = [];
  let current: { text: string; line: number } | null = null;
  for (; i < lines.length; i++) {
    const raw = lines[i];
    const trimmed = raw.trim();
    // comments and blank lines are skipped, also in the middle of a continued instruction
    if (trimmed.startsWith("#") || trimmed === "") continue;
    const body = raw.replace(/\s+$/, "");
    const continues = body.endsWith(escape);
    const part = continues ? body.slice(0, -1) : body;
    if (current === null) current = { text: part.replace(/^\s+/, ""), line: i + 1 };
    else current.text += part;
    if (!continues) {
      pushInstruction(instructions, current);
      current = null;
    }
  }
  if (current) pushInstruction(instructions, current);
  return { escape, instructions };
}

function pushInstruction(out: Instruction[], c: { text: string; line: number }): void {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(c.text.trim());
  if (!m) return;
  out.push({ keyword: m[1].toUpperCase(), args: m[2].trim(), line: c.line });
}

/**
 * Splits arguments at unquoted, unescaped whitespace, keeping quotes and
 * escapes in each word (Docker's parseWords): LABEL splits `key=value` on
 * these raw words before the lexer runs on each side.
 */
export function rawWords(args: string, escape: string): string[] {
  const out: string[] = [];
  let word = "";
  let quote: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const ch = args[i];
    if (quote === null && /\s/.test(ch)) {
      if (word !== "") out.push(word);
      word = "";
      continue;
    }
    if (ch === escape && quote !== "'" && i + 1 < args.length) {
      word += ch + args[++i];
      continue;
    }
    if (quote === null && (ch === '"' || ch === "'")) quote = ch;
    else if (ch === quote) quote = null;
    word += ch;
  }
  if (word !== "") out.push(word);
  return out;
}

/**
 * One raw word as the builder's lexer reads it: quotes removed, the escape
 * character keeps the next character literally. `dollar` tells whether an
 * unescaped `$` (a variable the builder would expand) appeared.
 */
export function lexWord(raw: string, escape: string): { word: string; dollar: boolean } {
  let word = "";
  let dollar = false;
  let quote: string | null = null;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i];
    if (quote !== "'" && ch === escape && i + 1 < raw.length) {
      word += raw[++i];
      continue;
    }
    if (quote === null && (ch === '"' || ch === "'")) {
      quote = ch;
      continue;
    }
    if (quote !== null && ch === quote) {
      quote = null;
      continue;
    }
    if (ch === "$" && quote !== "'") dollar = true;
    word += ch;
  }
  return { word, dollar };
}

/** The words of an instruction's arguments, lexed. */
export const shellWords = (args: string, escape: string) => rawWords(args, escape).map((w) => lexWord(w, escape));

/** `["a", "b"]` (the exec form), or null when the arguments are not a JSON array of strings. */
export function jsonArgs(args: string): string[] | null {
  if (!args.startsWith("[")) return null;
  try {
    const v = JSON.parse(args) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === "string") ? v : null;
  } catch {
    return null;
  }
}

/**
 * Expands `$V`, `${V}`, `${V:-word}` and `${V:+word}` from `vars`, as the
 * builder does for FROM; an unknown variable is empty.
 */
export function expandVars(text: string, vars: ReadonlyMap<string, string>, escape: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === escape && i + 1 < text.length) {
      out += text[++i];
      continue;
    }
    if (ch !== "$") {
      out += ch;
      continue;
    }
    const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:[-+])([^}]*))?\}/.exec(text.slice(i));
    if (braced) {
      const v = vars.get(braced[1]) ?? "";
      if (braced[2] === ":-") out += v === "" ? braced[3] : v;
      else if (braced[2] === ":+") out += v === "" ? "" : braced[3];
      else out += v;
      i += braced[0].length - 1;
      continue;
    }
    const plain = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i));
    if (plain) {
      out += vars.get(plain[1]) ?? "";
      i += plain[0].length - 1;
      continue;
    }
    out += ch;
  }
  return out;
}
