import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** WCAG 2 relative luminance and contrast ratio of two #rrggbb colours. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5]
    .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};

test("the UI's text colours on their backgrounds reach WCAG AA (4.5:1)", () => {
  const css = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../../../web/app.css"), "utf8");
  const v = (name: string) => {
    const m = new RegExp(`--${name}:\\s*(#[0-9a-f]{6})`).exec(css);
    assert.ok(m, `--${name} is defined as #rrggbb`);
    return m[1];
  };
  const pairs: [string, string, string][] = [
    ["body text", v("ink"), v("bg")],
    ["muted text on panels", v("muted"), v("panel")],
    ["muted text on the page", v("muted"), v("bg")],
    ["links", v("accent-dark"), v("panel")],
    ["primary buttons", v("accent-ink"), v("accent")],
    ["ok badges", v("ok"), v("ok-bg")],
    ["info badges", v("info"), v("info-bg")],
    ["error badges and notices", v("bad"), v("bad-bg")],
    ["warning badges", v("warn"), v("warn-bg")],
  ];
  for (const [what, fg, bg] of pairs)
    assert.ok(contrast(fg, bg) >= 4.5, `${what}: ${fg} on ${bg} is ${contrast(fg, bg).toFixed(2)}:1`);
});
