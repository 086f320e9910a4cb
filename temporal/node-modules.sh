# Sourced by dev.sh and test.sh: installs node dependencies on a fresh clone, or when the lock file changed.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[hookline] installing node dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi
