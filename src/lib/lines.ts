/** Splits text into lines without the trailing empty one; \r\n and lone \r (progress bars) count as breaks. */
export function splitLines(text: string): string[] {
  const parts = text.split(/\r\n|\n|\r/);
  if (parts.length && parts[parts.length - 1] === "") parts.pop();
  return parts;
}
