#!/usr/bin/env bash
# Puts `yk` and `yadokari` on the PATH: symlinks in YADOKARI_BIN_DIR (default /usr/local/bin) to this
# checkout's bin/yk.js. Idempotent: a link that already points here is left as it is; a file of the
# same name that is not such a link is never replaced. Sourced by up.sh (install_cli_on_path), or run alone.

install_cli_on_path() {
  local root="$1"
  local bin_dir="${YADOKARI_BIN_DIR:-/usr/local/bin}"
  local target="$root/bin/yk.js" name link
  [ -f "$target" ] || { printf '[path] ERROR: %s missing\n' "$target" >&2; return 1; }
  chmod +x "$target"
  if ! mkdir -p "$bin_dir" 2>/dev/null || [ ! -w "$bin_dir" ]; then
    printf '[path] %s is not writable: put yk on the PATH with: sudo ln -s %s %s/yk\n' "$bin_dir" "$target" "$bin_dir"
    return 0
  fi
  for name in yk yadokari; do
    link="$bin_dir/$name"
    if [ -L "$link" ] && [ "$(readlink "$link")" = "$target" ]; then
      printf '[path] %s is on the PATH (%s -> %s)\n' "$name" "$link" "$target"
    elif [ -e "$link" ] && [ ! -L "$link" ]; then
      printf '[path] %s exists and is not a link to this checkout: left alone (run %s directly)\n' "$link" "$target"
    else
      ln -sfn "$target" "$link"
      printf '[path] put %s on the PATH: %s -> %s\n' "$name" "$link" "$target"
    fi
  done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  install_cli_on_path "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fi
