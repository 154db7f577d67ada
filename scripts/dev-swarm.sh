#!/usr/bin/env bash
# A multi-node Docker Swarm on this machine for experiments (network namespaces, one dockerd each; needs root).
#   scripts/dev-swarm.sh up [NODES]   build one (default 3 nodes) and print each node's DOCKER_HOST
#   scripts/dev-swarm.sh down         tear down every dev swarm, and test swarms whose run died
#   scripts/dev-swarm.sh status       list them
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -f dist/test/helpers/swarm/dev.js ] || npm run --silent build
exec node dist/test/helpers/swarm/dev.js "$@"
