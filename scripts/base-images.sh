#!/usr/bin/env bash
# Builds the local base images Yadokari apps start FROM. Nothing is pulled: no registry is reachable.
#   yadokari-local/busybox:1  FROM scratch + Debian's static busybox
#   yadokari-local/node:20    the host's /usr/bin/node with its libraries, npm (the host's) + busybox (docker import)
# Idempotent: an image that already exists is left alone (remove it to rebuild), unless it was made by an
# older version of this script (its yadokari.base-version label is not NODE_IMAGE_VERSION).
set -euo pipefail

log() { printf '[base-images] %s\n' "$*"; }
die() { printf '[base-images] ERROR: %s\n' "$*" >&2; exit 1; }

BUSYBOX_IMAGE="yadokari-local/busybox:1"
NODE_IMAGE="yadokari-local/node:20"
# Bump when the node image's content changes, so existing machines rebuild it (2: npm added).
NODE_IMAGE_VERSION=2
BUSYBOX_BIN=/bin/busybox
NODE_BIN=/usr/bin/node

docker info >/dev/null 2>&1 || die "no Docker engine answers; run scripts/setup.sh first"
[ -x "$BUSYBOX_BIN" ] || die "$BUSYBOX_BIN missing (apt-get install busybox-static)"

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

TMP_DIRS=()
cleanup() { if [ "${#TMP_DIRS[@]}" -gt 0 ]; then rm -rf "${TMP_DIRS[@]}"; fi; }
trap cleanup EXIT

# write_etc DIR: minimal /etc for a rootfs.
write_etc() {
  local root="$1"
  mkdir -p "$root/etc" "$root/root" "$root/tmp"
  chmod 1777 "$root/tmp"
  chmod 700 "$root/root"
  cat >"$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
node:x:1000:1000:node:/home/node:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
  cat >"$root/etc/group" <<'G'
root:x:0:
node:x:1000:
nogroup:x:65534:
G
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  mkdir -p "$root/home/node"
  chown 1000:1000 "$root/home/node"
}

# --- busybox ------------------------------------------------------------------
if image_exists "$BUSYBOX_IMAGE"; then
  log "$BUSYBOX_IMAGE present"
else
  log "building $BUSYBOX_IMAGE"
  ctx="$(mktemp -d /tmp/yadokari-busybox.XXXXXX)"; TMP_DIRS+=("$ctx")
  mkdir -p "$ctx/rootfs/bin"
  cp "$BUSYBOX_BIN" "$ctx/rootfs/bin/busybox"
  write_etc "$ctx/rootfs"
  cat >"$ctx/Dockerfile" <<'D'
FROM scratch
COPY rootfs/ /
RUN ["/bin/busybox","--install","-s","/bin"]
ENV PATH=/usr/local/bin:/bin
LABEL yadokari.kind=base
CMD ["sh"]
D
  DOCKER_BUILDKIT=0 docker build -q -t "$BUSYBOX_IMAGE" "$ctx" >/dev/null 2>"$ctx/build.err" \
    || { cat "$ctx/build.err" >&2; die "docker build of $BUSYBOX_IMAGE failed"; }
  out="$(docker run --rm "$BUSYBOX_IMAGE" sh -c 'echo ok' 2>&1)" || true
  if [ "$out" != "ok" ]; then
    docker image rm -f "$BUSYBOX_IMAGE" >/dev/null 2>&1 || true
    die "$BUSYBOX_IMAGE does not run a shell: $out"
  fi
  log "$BUSYBOX_IMAGE built"
fi

# --- node ---------------------------------------------------------------------
node_image_version() { docker image inspect "$1" --format '{{ index .Config.Labels "yadokari.base-version" }}' 2>/dev/null || true; }
if image_exists "$NODE_IMAGE" && [ "$(node_image_version "$NODE_IMAGE")" = "$NODE_IMAGE_VERSION" ]; then
  log "$NODE_IMAGE present"
else
  if image_exists "$NODE_IMAGE"; then log "$NODE_IMAGE is from an older set-up (no npm): rebuilding it"; fi
  [ -x "$NODE_BIN" ] || die "$NODE_BIN missing"
  node_version="$("$NODE_BIN" --version)"
  log "building $NODE_IMAGE from $NODE_BIN $node_version"
  root="$(mktemp -d /tmp/yadokari-node.XXXXXX)"; TMP_DIRS+=("$root")
  chmod 755 "$root"
  mkdir -p "$root/usr/local/bin" "$root/bin" "$root/usr/bin" "$root/lib/x86_64-linux-gnu" "$root/lib64" "$root/app"
  cp "$(readlink -f "$NODE_BIN")" "$root/usr/local/bin/node"

  # Shared libraries node needs, at the paths ldd names (copied from their real files).
  copy_lib() {
    local path="$1" dest
    [ -e "$path" ] || return 0
    dest="$root$path"
    mkdir -p "$(dirname "$dest")"
    cp -L "$path" "$dest"
  }
  while read -r line; do
    case "$line" in
      *"=> /"*) copy_lib "$(printf '%s\n' "$line" | sed -E 's/.*=> ([^ ]+).*/\1/')" ;;
      /*)       copy_lib "$(printf '%s\n' "$line" | awk '{print $1}')" ;;
    esac
  done < <(ldd "$NODE_BIN")
  [ -e "$root/lib64/ld-linux-x86-64.so.2" ] || cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"

  # busybox with its applets as symlinks in /bin, so sh, ls, cat ... exist.
  cp "$BUSYBOX_BIN" "$root/bin/busybox"
  for applet in $("$BUSYBOX_BIN" --list); do
    case "$applet" in busybox|node) continue ;; esac
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  ln -s ../../bin/busybox "$root/usr/bin/env"   # for '#!/usr/bin/env node' scripts

  # npm, from the host's node installation (no registry is reachable to fetch one). Node's own packages
  # ship npm self-contained (lib/node_modules/npm); Debian's npm package keeps its dependencies in
  # /usr/share/nodejs, which Debian's node searches: that tree comes along then.
  npm_bin="$(command -v npm || true)"
  [ -n "$npm_bin" ] || die "npm missing on this machine: the node image carries the host's npm (apt-get install npm)"
  npm_dir="$(dirname "$(dirname "$(readlink -f "$npm_bin")")")"
  [ -f "$npm_dir/bin/npm-cli.js" ] || die "cannot find npm's package next to $npm_bin ($npm_dir)"
  case "$npm_dir" in
    /usr/share/nodejs/*)
      mkdir -p "$root/usr/share"
      cp -a /usr/share/nodejs "$root/usr/share/"
      npm_in_image="$npm_dir"
      ;;
    *)
      mkdir -p "$root/usr/local/lib/node_modules"
      cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
      npm_in_image=/usr/local/lib/node_modules/npm
      ;;
  esac
  ln -s "$npm_in_image/bin/npm-cli.js" "$root/usr/local/bin/npm"
  ln -s "$npm_in_image/bin/npx-cli.js" "$root/usr/local/bin/npx"
  write_etc "$root"

  # Imported under a candidate tag and checked before it takes the real name: an image that is in use
  # (builds FROM it, other servers on this engine) is replaced in one step, and never by a broken one.
  candidate="$NODE_IMAGE-candidate"
  tar --numeric-owner -C "$root" -c . | docker import \
    -c 'ENV PATH=/usr/local/bin:/bin' \
    -c 'WORKDIR /app' \
    -c 'LABEL yadokari.kind=base' \
    -c "LABEL yadokari.node-version=$node_version" \
    -c "LABEL yadokari.base-version=$NODE_IMAGE_VERSION" \
    -c 'CMD ["node"]' \
    - "$candidate" >/dev/null || die "docker import of $NODE_IMAGE failed"

  out="$(docker run --rm "$candidate" sh -c 'node -e "console.log(1)" && npm --version' 2>&1)" || true
  if ! printf '%s\n' "$out" | head -1 | grep -qx 1 || ! printf '%s\n' "$out" | tail -1 | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$'; then
    docker image rm "$candidate" >/dev/null 2>&1 || true
    die "$NODE_IMAGE does not run node and npm: $out"
  fi
  docker tag "$candidate" "$NODE_IMAGE" || die "docker tag $candidate $NODE_IMAGE failed"
  docker image rm "$candidate" >/dev/null 2>&1 || true   # the tag only: the image keeps its real name
  log "$NODE_IMAGE built and verified"
fi
