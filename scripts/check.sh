#!/usr/bin/env bash
# npm run check: the checks that need no Docker, fastest first, each timed. Fails at the first that fails.
#   types (server, tests, benches and the web UI), ESLint (cycles, layer boundaries), Prettier, unit tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() {
  local name="$1"
  shift
  local t0=$SECONDS
  printf '[check] %s\n' "$name"
  if ! "$@"; then
    printf '[check] FAILED: %s\n' "$name" >&2
    exit 1
  fi
  printf '[check] %s: ok (%ss)\n' "$name" "$((SECONDS - t0))"
}

prune_stale() {
  # compiled files whose source is gone would run as tests
  for out in dist/src dist/test dist/bench; do
    [ -d "$out" ] || continue
    while IFS= read -r -d '' js; do
      rel="${js#dist/}"
      [ -f "${rel%.js}.ts" ] || rm -f "$js" "$js.map"
    done < <(find "$out" -type f -name '*.js' -print0)
  done
}

start=$SECONDS
# ESLint reads sources, not dist/: it runs beside tsc (two cores), and its verdict is read after.
lint_log="$(mktemp)"
npx eslint . --max-warnings 0 >"$lint_log" 2>&1 &
lint_pid=$!
# a failed step exits: the background lint ends with it
trap 'kill "$lint_pid" 2>/dev/null || true; rm -f "$lint_log"' EXIT
lint_t0=$SECONDS
# tsc emits dist/ for the unit tests; the web UI is type-checked only (its bundle is npm run build's).
step "types (tsc)" bash -c 'npx tsc -p tsconfig.json && npx tsc -p web/tsconfig.json'
prune_stale
printf '[check] lint (eslint)\n'
if ! wait "$lint_pid"; then
  cat "$lint_log" >&2
  rm -f "$lint_log"
  printf '[check] FAILED: lint (eslint)\n' >&2
  exit 1
fi
rm -f "$lint_log"
printf '[check] lint (eslint): ok (%ss, beside tsc)\n' "$((SECONDS - lint_t0))"
step "format (prettier --check)" npx prettier --check . --log-level warn
step "unit tests" node --test dist/src
printf '[check] all passed in %ss\n' "$((SECONDS - start))"
