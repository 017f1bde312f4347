#!/usr/bin/env bash
# Runs every test: lint, types, unit and store suites on each reachable database, then the
# compatibility suite with the official mlflow Python client against a live server per backend.
# Sets up what is missing (node_modules, the Python venv) itself.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

log() { printf '\n== %s\n' "$*"; }

if [ ! -d node_modules ]; then
  log "Installing npm packages"
  npm ci
fi

# The pinned Python client lives in .venv; rebuilt when its requirements change.
REQ=e2e/python/requirements.txt
STAMP=.venv/.carnet-requirements
if [ -z "${CARNET_SKIP_PYTHON:-}" ]; then
  if ! command -v python3 >/dev/null; then
    echo "!! python3 not found: the compatibility tests with the real mlflow client are SKIPPED" >&2
    export CARNET_SKIP_PYTHON=1
  elif [ ! -x .venv/bin/python ] || ! cmp -s "$REQ" "$STAMP"; then
    log "Building the Python venv with the pinned mlflow client"
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r "$REQ"
    cp "$REQ" "$STAMP"
  fi
fi

# The newest MLflow 2.x client, for the tracking + registry subset (test_mlflow2_client.py).
REQ2=e2e/python/requirements-mlflow2.txt
if [ -z "${CARNET_SKIP_PYTHON:-}" ]; then
  if [ ! -x .venv-mlflow2/bin/python ] || ! cmp -s "$REQ2" .venv-mlflow2/.carnet-requirements; then
    log "Building the MLflow 2.x client venv"
    [ -x .venv-mlflow2/bin/python ] || python3 -m venv .venv-mlflow2
    .venv-mlflow2/bin/pip install --quiet --disable-pip-version-check -r "$REQ2"
    cp "$REQ2" .venv-mlflow2/.carnet-requirements
  fi
fi

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# PostgreSQL and MySQL suites run when the servers answer (CI requires them).
if [ -z "${TEST_POSTGRES_URL:-}" ] && port_open 127.0.0.1 5432; then
  export TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test
fi
if [ -z "${TEST_MYSQL_URL:-}" ] && port_open 127.0.0.1 3306; then
  export TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test
fi
if [ -n "${CARNET_REQUIRE_ALL_BACKENDS:-}" ]; then
  : "${TEST_POSTGRES_URL:?PostgreSQL is required but not reachable}"
  : "${TEST_MYSQL_URL:?MySQL/MariaDB is required but not reachable}"
fi
echo "backends: sqlite${TEST_POSTGRES_URL:+ postgres}${TEST_MYSQL_URL:+ mysql}"

log "Lint, types, unit and store tests"
npm run check

if [ -n "${CARNET_SKIP_PYTHON:-}" ]; then
  echo "!! CARNET_SKIP_PYTHON is set: compatibility tests with the real mlflow client SKIPPED" >&2
  exit 0
fi

log "Building the server bundle"
npm run build

backends=(sqlite)
[ -n "${TEST_POSTGRES_URL:-}" ] && backends+=(postgres)
[ -n "${TEST_MYSQL_URL:-}" ] && backends+=(mysql)
for backend in "${backends[@]}"; do
  log "Compatibility suite with the mlflow client on $backend"
  COMPAT_BACKEND=$backend "$ROOT/.venv/bin/python" -m pytest e2e/python -q -p no:cacheprovider
  log "The MLflow 2.x client on $backend"
  COMPAT_BACKEND=$backend "$ROOT/.venv-mlflow2/bin/python" -m pytest e2e/python/test_mlflow2_client.py -q -p no:cacheprovider
done
log "All tests passed"
