#!/usr/bin/env bash
# One command to a running Yadokari: set up the machine, start the server if its API does not
# answer, and deploy the bundled example app (examples/node-hello). Safe to run again: it reuses
# a running server and redeploys the example. Where systemd is PID 1 it installs and enables the
# units yadokari.service and yadokari-router.service (the host comes back serving after a reboot);
# elsewhere (containers, CI) it says so and starts the server as a plain process.
#
# Environment (all optional):
#   YADOKARI_DATA_DIR    data directory            (default /var/lib/yadokari)
#   YADOKARI_API_LISTEN  API address               (default 127.0.0.1:7700)
#   YADOKARI_HTTP_PORT   router port               (default 80)
#   YADOKARI_HTTP_LISTEN router address            (default 0.0.0.0:$YADOKARI_HTTP_PORT)
#   YADOKARI_DOMAIN      apps live at APP.DOMAIN   (server default: localhost)
#   YADOKARI_HTTPS_LISTEN router HTTPS address     (default 0.0.0.0:443; off: plain HTTP only)
#   YADOKARI_ACME_EMAIL  turns on automatic certificates from Let's Encrypt (YADOKARI_ACME_DIRECTORY: another CA)
#   YADOKARI_API_HOSTNAME serve the API, UI and git over HTTPS through the router at this hostname
#   YADOKARI_TOKEN       API token                 (default: read from $DATA_DIR/admin-token)
#   YADOKARI_NO_SYSTEMD  1: do not install systemd units even where systemd is PID 1
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

log() { printf '[up] %s\n' "$*"; }
die() { printf '[up] ERROR: %s\n' "$*" >&2; exit 1; }

bash scripts/setup.sh
# shellcheck source=install-cli.sh
source scripts/install-cli.sh
install_cli_on_path "$ROOT"

DATA_DIR="${YADOKARI_DATA_DIR:-/var/lib/yadokari}"
API_LISTEN="${YADOKARI_API_LISTEN:-127.0.0.1:7700}"
HTTP_LISTEN="${YADOKARI_HTTP_LISTEN:-0.0.0.0:${YADOKARI_HTTP_PORT:-80}}"
HTTPS_LISTEN="${YADOKARI_HTTPS_LISTEN:-0.0.0.0:443}"

# Address the CLI talks to: the API's port on loopback when it listens on all interfaces.
api_port="${API_LISTEN##*:}"
api_host="${API_LISTEN%:*}"
if [ "$api_host" = "$API_LISTEN" ] || [ -z "$api_host" ] || [ "$api_host" = "0.0.0.0" ] || [ "$api_host" = "[::]" ]; then
  api_host="127.0.0.1"
fi
API_URL="http://$api_host:$api_port"
CLI=(node "$ROOT/dist/src/main/cli.js")

healthy() { curl -fsS --max-time 2 "$API_URL/api/v1/health" >/dev/null 2>&1; }

# Where systemd is PID 1: units for the server and the router (HAProxy with the last rendered config at boot),
# both enabled, so the host comes back serving after a reboot. YADOKARI_NO_SYSTEMD=1 skips them.
uses_systemd() {
  [ "${YADOKARI_NO_SYSTEMD:-}" != "1" ] && [ "$(cat /proc/1/comm 2>/dev/null)" = "systemd" ] && command -v systemctl >/dev/null 2>&1
}

install_units() {
  local env_file=/etc/default/yadokari
  {
    echo "# Written by Yadokari's scripts/up.sh: the server's settings (yadokari server --help lists them)."
    for v in YADOKARI_DATA_DIR YADOKARI_API_LISTEN YADOKARI_HTTP_LISTEN YADOKARI_HTTPS_LISTEN YADOKARI_DOMAIN \
      YADOKARI_ACME_EMAIL YADOKARI_ACME_DIRECTORY YADOKARI_ACME_CA_FILE YADOKARI_API_HOSTNAME YADOKARI_ACCESS_LOG; do
      if [ -n "${!v:-}" ]; then printf '%s=%s\n' "$v" "${!v}"; fi
    done
  } >"$env_file"
  chmod 600 "$env_file"
  "${CLI[@]}" service:units --out /etc/systemd/system --data-dir "$DATA_DIR" --env-file "$env_file" >/dev/null
  systemctl daemon-reload
  # dockerd and containerd at boot too: the app containers come back with them (restart policy unless-stopped).
  for unit in containerd.service docker.service; do
    systemctl enable "$unit" >/dev/null 2>&1 || true
  done
  systemctl enable yadokari-router.service yadokari.service >/dev/null 2>&1
  log "systemd units installed and enabled: yadokari.service, yadokari-router.service (settings: $env_file)"
}

export YADOKARI_DATA_DIR="$DATA_DIR" YADOKARI_API_LISTEN="$API_LISTEN" YADOKARI_HTTP_LISTEN="$HTTP_LISTEN" \
  YADOKARI_HTTPS_LISTEN="$HTTPS_LISTEN"
mkdir -p "$DATA_DIR"
if uses_systemd; then
  install_units
  if healthy; then
    log "server already answers at $API_URL (the units take over at the next boot, or: systemctl restart yadokari)"
  else
    systemctl start yadokari.service
    for _ in $(seq 1 60); do healthy && break; sleep 0.5; done
    healthy || { tail -n 30 "$DATA_DIR/server.log" >&2 || true; die "yadokari.service did not answer $API_URL/api/v1/health within 30 s (journalctl -u yadokari)"; }
    log "server answers at $API_URL (systemd: yadokari.service)"
  fi
elif healthy; then
  log "server already answers at $API_URL"
else
  log "systemd is not PID 1 here ($(cat /proc/1/comm 2>/dev/null || echo unknown)): no units installed; the server runs as a plain process and does not start again after a reboot"
  log "starting the server (data: $DATA_DIR, API: $API_LISTEN, router: $HTTP_LISTEN; log: $DATA_DIR/server.log)"
  # setsid + closed stdin: the server outlives this script and holds none of its pipes.
  setsid nohup "${CLI[@]}" server >>"$DATA_DIR/server.log" 2>&1 </dev/null &
  server_pid=$!
  for _ in $(seq 1 60); do
    if healthy; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      tail -n 30 "$DATA_DIR/server.log" >&2 || true
      die "the server exited during start-up (see $DATA_DIR/server.log)"
    fi
    sleep 0.5
  done
  healthy || { tail -n 30 "$DATA_DIR/server.log" >&2 || true; die "the server did not answer $API_URL/api/v1/health within 30 s"; }
  log "server answers at $API_URL (pid $server_pid; 'yk stop' stops it)"
fi

TOKEN_FILE="$DATA_DIR/admin-token"
if [ -z "${YADOKARI_TOKEN:-}" ]; then
  for _ in $(seq 1 20); do [ -s "$TOKEN_FILE" ] && break; sleep 0.25; done
  [ -s "$TOKEN_FILE" ] || die "no admin token at $TOKEN_FILE (is the running server using another data dir? set YADOKARI_DATA_DIR or YADOKARI_TOKEN)"
  YADOKARI_TOKEN="$(cat "$TOKEN_FILE")"
fi
export YADOKARI_URL="$API_URL" YADOKARI_TOKEN

if "${CLI[@]}" apps:info -a example >/dev/null 2>&1; then
  log "app 'example' exists; redeploying it"
else
  log "creating app 'example'"
  "${CLI[@]}" apps:create example
fi

log "deploying examples/node-hello to 'example'"
"${CLI[@]}" deploy -a example "$ROOT/examples/node-hello" || die "deploy of the example failed"

cat <<MSG

Yadokari is up.
  API:          $API_URL
  web UI:       $API_URL/  (first visit: create the first admin with the admin token)
  admin token:  $TOKEN_FILE
  server log:   $DATA_DIR/server.log

Use the CLI from anywhere (yk is on the PATH; see [path] above):
  yk login --url $API_URL --token "\$(cat $TOKEN_FILE)"
  yk apps
MSG

if [ -n "${YADOKARI_API_HOSTNAME:-}" ]; then
  cat <<MSG
Over HTTPS (the API's own certificate is ordered once ${YADOKARI_API_HOSTNAME}'s DNS points here):
  yk login --url https://${YADOKARI_API_HOSTNAME} --token "\$(cat $TOKEN_FILE)"
  git remote add yadokari https://yk:TOKEN@${YADOKARI_API_HOSTNAME}/git/APP.git
MSG
else
  cat <<MSG
HTTPS: the router also listens on $HTTPS_LISTEN. For certificates from Let's Encrypt and the API over HTTPS,
restart the server with a real domain, e.g.
  YADOKARI_DOMAIN=apps.example.com YADOKARI_ACME_EMAIL=ops@example.com YADOKARI_API_HOSTNAME=yadokari.example.com npm run up
(stop the running server first; point *.apps.example.com and yadokari.example.com at this machine).
Until then, tokens and passwords sent to $API_URL cross the network in clear text: keep it on 127.0.0.1.
MSG
fi
