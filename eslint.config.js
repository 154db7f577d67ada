// ESLint for `npm run check`: typescript-eslint's recommended rules, no import cycles, and the layer
// boundaries of ARCHITECTURE.md (pure code imports no I/O; only the API, UI, CLI and main import src/api/).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { importX } from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";

/** Modules that do I/O (processes, sockets, files, Docker, SQLite, HAProxy): pure code imports none of them. */
const IO_MODULES = [
  "./src/store",
  "./src/docker/dockerode-adapter.ts",
  "./src/api",
  "./src/git",
  "./src/engine/execute",
  "./src/engine/health/http-probe.ts",
  "./src/router/haproxy-router.ts",
  "./src/router/runtime-client.ts",
  "./src/router/supervisor.ts",
  "./src/router/proc.ts",
  "./src/gitflow/mirror.ts",
  "./src/lib/run.ts",
  "./src/lib/atomic-write.ts",
  "./src/lib/log-cap.ts",
  "./src/main",
];
/** The domain and the pure planners: plans as data computed by pure code (ARCHITECTURE.md). */
const PURE = [
  "./src/domain/**",
  "./src/engine/plan/**",
  "./src/router/render.ts",
  "./src/router/live-plan.ts",
  "./src/manifest/**",
  "./src/canary/analysis.ts",
];
const NODE_IO = ["fs", "child_process", "net", "http", "https", "dgram", "worker_threads", "cluster"].flatMap((m) => [
  m,
  `node:${m}`,
  `${m}/*`,
  `node:${m}/*`,
]);

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "test/fixtures/**", "examples/**", "web/app.css"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { "import-x": importX },
    settings: {
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: ["tsconfig.json"] })],
      // the rules that follow imports (no-cycle) parse each dependency with the TypeScript parser
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import-x/extensions": [".ts", ".tsx", ".js"],
    },
    languageOptions: { ecmaVersion: 2022, sourceType: "module" },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        {
          argsIgnorePattern: "^_",
          varsIgnorePattern: "^_",
          destructuredArrayIgnorePattern: "^_",
          caughtErrors: "none",
        },
      ],
      "@typescript-eslint/no-explicit-any": "off",
      // validators of names and refs match control characters on purpose
      "no-control-regex": "off",
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-restricted-paths": [
        "error",
        {
          zones: [
            ...PURE.map((target) => ({
              target,
              from: IO_MODULES,
              message: "the domain and the pure planners import no I/O module: pass data in, return a plan",
            })),
            {
              target: "./src/!(api|ui|cli|main)/**",
              from: "./src/api",
              message: "only the API, the UI, the CLI and main import src/api/: move the shared shape below it",
            },
          ],
        },
      ],
    },
  },
  {
    files: PURE.map((p) => p.replace(/^\.\//, "")),
    rules: {
      "no-restricted-imports": [
        "error",
        { paths: [], patterns: [{ group: NODE_IO, message: "pure code does no I/O" }] },
      ],
    },
  },
  {
    // Settings are read once, in src/main (src/main/settings.ts); child processes inherit PATH explicitly.
    files: ["src/**/*.ts", "src/**/*.tsx"],
    ignores: [
      "src/main/cli.ts",
      "src/git/pre-receive.ts",
      "src/git/http-backend.ts",
      "src/gitflow/mirror.ts",
      "src/lib/run.ts",
      "src/**/*.test.ts",
    ],
    rules: {
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message: "read settings in src/main/settings.ts and pass them down",
        },
      ],
    },
  },
  {
    files: ["web/**/*.ts", "web/**/*.tsx"],
    languageOptions: { globals: { window: "readonly", document: "readonly", fetch: "readonly" } },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
);
