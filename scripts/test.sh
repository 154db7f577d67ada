#!/usr/bin/env bash
# Set up the machine, then run the unit, the integration and the security tests (test/security:
# every finding of issue 11 and the hostile-input sweep, against a real server). All suites always
# run; the exit status is non-zero when any fails.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh --browser

unit=0
integration=0
security=0
echo "[test] unit tests"
npm run --silent test:unit || unit=$?
echo "[test] integration tests"
npm run --silent test:integration || integration=$?
echo "[test] security tests"
npm run --silent test:security || security=$?

status() { if [ "$1" -eq 0 ]; then echo "passed"; else echo "FAILED (exit $1)"; fi; }
echo "[test] unit: $(status "$unit"); integration: $(status "$integration"); security: $(status "$security")"
if [ "$unit" -ne 0 ] || [ "$integration" -ne 0 ] || [ "$security" -ne 0 ]; then exit 1; fi
