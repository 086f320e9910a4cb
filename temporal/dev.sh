#!/usr/bin/env bash
# npm run dev: installs what is missing, then temporal/dev.ts starts the servers, the worker and the API.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source temporal/node-modules.sh
exec node --import tsx temporal/dev.ts
