/**
 * Terminal output made plain text, for logs read in a browser, a `remote:`
 * line or a file: colour and cursor escape sequences are dropped, a line
 * redrawn with carriage returns (a progress bar) keeps what it last showed,
 * and other control characters (but tab) are removed.
 */
// CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), and two-character escapes (ESC followed by one character).
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]/g;
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f]/g;

export function plainLine(line: string): string {
  const shown =
    line
      .split("\r")
      .map((part) => part.replace(ESCAPES, ""))
      .filter((part) => part.trim() !== "")
      .at(-1) ?? "";
  return shown.replace(ESCAPES, "").replace(CONTROLS, "").trimEnd();
}

/** A line that says nothing once plain (the builder's blank lines): logs leave it out. */
export const isBlank = (line: string): boolean => plainLine(line).trim() === "";
