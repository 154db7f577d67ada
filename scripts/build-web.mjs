// Bundles the web UI (web/src, Preact) into dist/web with esbuild: one
// script, one stylesheet, no CDN at runtime. Type-checked by tsc -p web.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

const out = "dist/web";
mkdirSync(`${out}/assets`, { recursive: true });
await build({
  entryPoints: ["web/src/main.tsx"],
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "esm",
  target: "es2020",
  jsx: "automatic",
  jsxImportSource: "preact",
  outfile: `${out}/assets/app.js`,
  logLevel: "warning",
});
copyFileSync("web/index.html", `${out}/index.html`);
copyFileSync("web/app.css", `${out}/assets/app.css`);
copyFileSync("web/icon.svg", `${out}/assets/icon.svg`);
