#!/usr/bin/env bash
# npm test: installs what is missing; jest's global setup provisions and starts the servers (test/global-setup.ts).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source temporal/node-modules.sh
exec node_modules/.bin/jest "$@"
