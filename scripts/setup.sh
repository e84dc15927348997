#!/usr/bin/env bash
# Set up minutes on a fresh Debian machine (as root) and either serve or test.
#   bash scripts/setup.sh serve   install everything, then run the service on embedded defaults
#   bash scripts/setup.sh test    install everything with the test tools, then run the tests
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-serve}"
shift || true

PY="${PYTHON:-python3}"
VENV="${MINUTES_VENV:-.venv}"

# System packages the service uses; installed only when missing.
need_apt=()
for pkg in "$@"; do need_apt+=("$pkg"); done
if [ "${#need_apt[@]}" -gt 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
if [ "$mode" = "test" ]; then
  "$VENV/bin/python" -m pip install -q -e ".[test]"
else
  "$VENV/bin/python" -m pip install -q -e .
fi

case "$mode" in
  serve)
    exec "$VENV/bin/minutes" serve --host "${MINUTES_HOST:-0.0.0.0}" --port "${MINUTES_PORT:-8000}"
    ;;
  test)
    "$VENV/bin/ruff" check service tests bench
    "$VENV/bin/mypy"
    exec "$VENV/bin/python" -m pytest "${PYTEST_ARGS:---maxfail=20}"
    ;;
  *)
    echo "usage: bash scripts/setup.sh serve|test" >&2
    exit 2
    ;;
esac
