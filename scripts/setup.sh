#!/usr/bin/env bash
# Yadokari machine set-up. Idempotent: a second run only checks and rebuilds TypeScript.
#   - installs the Debian packages Yadokari needs (docker.io, haproxy, busybox-static, wrk, linux-perf
#     (perf stat, for bench:router), git, curl,
#     openssl and docker-registry for the Swarm engine's own image registry; pebble, a local ACME server,
#     for the HTTPS tests and bench:tls; systemd for the units' systemd-analyze verify test);
#     with --browser also Chromium and fonts, for the web UI's browser tests
#   - starts dockerd when no Docker engine answers
#   - installs npm dependencies when needed, then builds (tsc)
#   - builds the local base images (scripts/base-images.sh)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

log() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
fi

# --- 1. Debian packages -------------------------------------------------------
PACKAGES=(docker.io haproxy busybox-static wrk linux-perf git curl openssl docker-registry pebble systemd)
if [ "${1:-}" = "--browser" ]; then PACKAGES+=(chromium fonts-liberation fonts-dejavu-core); fi
missing=()
for p in "${PACKAGES[@]}"; do
  # 'dpkg -s' alone also succeeds for removed-but-not-purged packages: read the status line.
  status="$(dpkg -s "$p" 2>/dev/null || true)"
  case "$status" in *"Status: install ok installed"*) ;; *) missing+=("$p") ;; esac
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing apt packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
else
  log "apt packages present"
fi
# Debian's docker-registry enables a system registry on :5000; Yadokari runs its own (TLS, auth) only on a swarm.
if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled docker-registry >/dev/null 2>&1; then
  $SUDO systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi

# --- 2. Docker engine ---------------------------------------------------------
# is_running PID NAME: true when PID is alive and its command name is NAME.
is_running() {
  local pid="$1" name="$2" comm
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
  [ "$comm" = "$name" ]
}

docker_answers() { docker info >/dev/null 2>&1; }

if docker_answers; then
  log "docker engine answers"
else
  DOCKER_PID_FILE=/var/run/docker.pid
  # dockerd supervises its own containerd and adopts it when the pid in this file is alive;
  # a stale file whose pid now belongs to another process would make it wait on a dead socket.
  CONTAINERD_PID_FILE=/var/run/docker/containerd/containerd.pid
  dockerd_pid="$(cat "$DOCKER_PID_FILE" 2>/dev/null || true)"
  if [ -n "$dockerd_pid" ] && is_running "$dockerd_pid" dockerd; then
    log "dockerd (pid $dockerd_pid) is running but not answering yet; waiting"
  else
    if [ -f "$DOCKER_PID_FILE" ]; then
      log "removing stale $DOCKER_PID_FILE (pid ${dockerd_pid:-?} is not a running dockerd)"
      $SUDO rm -f "$DOCKER_PID_FILE"
    fi
    containerd_pid="$(cat "$CONTAINERD_PID_FILE" 2>/dev/null || true)"
    if [ -f "$CONTAINERD_PID_FILE" ] && ! is_running "$containerd_pid" containerd; then
      log "removing stale $CONTAINERD_PID_FILE"
      $SUDO rm -f "$CONTAINERD_PID_FILE"
    fi
    command -v dockerd >/dev/null 2>&1 || die "dockerd not found (is docker.io installed?)"
    log "starting dockerd (log: /var/log/dockerd.log)"
    # setsid + closed stdin: the daemon outlives this script and holds none of its pipes.
    $SUDO setsid nohup dockerd >>/var/log/dockerd.log 2>&1 </dev/null &
  fi
  for _ in $(seq 1 60); do
    if docker_answers; then break; fi
    sleep 0.5
  done
  if ! docker_answers; then
    tail -n 20 /var/log/dockerd.log >&2 2>/dev/null || true
    die "the Docker engine did not answer 'docker info' within 30 s (see /var/log/dockerd.log)"
  fi
  log "docker engine answers"
fi

# --- 3. npm dependencies and build --------------------------------------------
need_ci=0
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ]; then
  need_ci=1
elif [ package-lock.json -nt node_modules/.package-lock.json ]; then
  need_ci=1
elif [ ! -f node_modules/better-sqlite3/build/Release/better_sqlite3.node ]; then
  need_ci=1
fi
if [ "$need_ci" -eq 1 ]; then
  log "npm ci (better-sqlite3 builds from source: about a minute)"
  npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed"
else
  log "node_modules up to date"
fi

log "building (tsc)"
npm run --silent build || die "TypeScript build failed"
# Drop compiled files whose source is gone, so node --test never runs a deleted test.
# Only tsc's output: dist/web is the UI bundle, which has no .ts twin.
for out in dist/src dist/test dist/bench; do
  [ -d "$out" ] || continue
  while IFS= read -r -d '' js; do
    rel="${js#dist/}"
    src="${rel%.js}.ts"
    if [ ! -f "$src" ]; then rm -f "$js" "$js.map"; fi
  done < <(find "$out" -type f -name '*.js' -print0)
done

# --- 4. Local base images -----------------------------------------------------
bash "$ROOT/scripts/base-images.sh"

log "done"
