#!/usr/bin/env bash
# Build the container image from ./Dockerfile with buildah (no Docker engine; chroot isolation)
# and run scripts/image_smoke.sh inside it. Exits non-zero on any failure. As root, on Debian.
#   bash scripts/build_image.sh                   base: python:3.11-slim-bookworm when a registry
#                                                 answers, else a local mmdebstrap minbase
#   MINUTES_BASE=mmdebstrap bash scripts/build_image.sh   always the local minbase (rebuilt)
#   IMAGE=localhost/minutes:dev SMOKE_PORT=8765 ...       image name, smoke test port
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE="${IMAGE:-localhost/minutes:latest}"
MODE="${MINUTES_BASE:-auto}"              # auto | registry | mmdebstrap
DEFAULT_BASE=docker.io/library/python:3.11-slim-bookworm
LOCAL_BASE=localhost/minutes-base:bookworm
WORK=build/image                          # ignored by git and by .dockerignore
mkdir -p "$WORK"

# Tools.
need=()
for tool in buildah mmdebstrap; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Base image: pulled, or Debian bookworm minbase made here (the Dockerfile adds python3).
t0=$SECONDS
base=$DEFAULT_BASE
if [ "$MODE" = mmdebstrap ] || { [ "$MODE" = auto ] && ! buildah pull -q "$DEFAULT_BASE" >/dev/null 2>"$WORK/pull.err"; }; then
  [ "$MODE" = auto ] && echo "build_image: no registry ($(tail -n1 "$WORK/pull.err")); using mmdebstrap" >&2
  base=$LOCAL_BASE
  if [ "$MODE" = mmdebstrap ] || ! buildah inspect "$LOCAL_BASE" >/dev/null 2>&1; then
    mmdebstrap --quiet --variant=minbase bookworm "$WORK/base.tar"
    ctr=$(buildah from scratch)
    buildah add --quiet "$ctr" "$WORK/base.tar" /
    buildah config --env LANG=C.UTF-8 --cmd /bin/bash "$ctr"
    buildah commit --quiet --rm "$ctr" "$LOCAL_BASE" >/dev/null
    rm -f "$WORK/base.tar"
  fi
elif [ "$MODE" = registry ]; then
  buildah pull -q "$DEFAULT_BASE" >/dev/null
fi
t1=$SECONDS

# The CPU-only torch: a wheel pip finds locally (find-links) when there is one, mounted into
# the build; otherwise the Dockerfile's default, the PyTorch CPU index.
extra=()
rm -rf "$WORK/wheels"
if python3 -m pip download -q --no-deps --no-index --only-binary=:all: --python-version 3.11 \
     -d "$WORK/wheels" "torch==2.13.0" 2>/dev/null && ls "$WORK/wheels"/torch-*+cpu-*.whl >/dev/null 2>&1; then
  pip_args="--find-links /build-wheels"
  extra+=(--volume "$PWD/$WORK/wheels:/build-wheels:ro" --build-arg TORCH_INDEX=)
fi
# This host's CA bundle, for pip behind a TLS-inspecting proxy (the same as the image's elsewhere).
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  pip_args="${pip_args:-} --cert /build-ca.crt"
  extra+=(--volume /etc/ssl/certs/ca-certificates.crt:/build-ca.crt:ro)
fi
[ -n "${pip_args:-}" ] && extra+=(--build-arg "PIP_ARGS=${pip_args# }")

buildah bud --isolation chroot --layers -f Dockerfile -t "$IMAGE" --build-arg "BASE=$base" "${extra[@]}" .
t2=$SECONDS

# Smoke test in a throw-away container of the image, as its user (nobody), data in /data.
ctr=$(buildah from "$IMAGE")
trap 'buildah rm "$ctr" >/dev/null' EXIT
buildah run --isolation chroot --env "SMOKE_PORT=${SMOKE_PORT:-8765}" \
  --volume "$PWD/scripts/image_smoke.sh:/smoke/image_smoke.sh:ro" \
  --volume "$PWD/corpora/written/c001.txt:/smoke/c001.txt:ro" \
  "$ctr" -- bash /smoke/image_smoke.sh /smoke/c001.txt
t3=$SECONDS

size=$(buildah images --format '{{.Size}}' "$IMAGE" | head -n1)
echo "build_image: $IMAGE from $base"
echo "build_image: base $((t1 - t0)) s, build $((t2 - t1)) s, smoke $((t3 - t2)) s, total $((t3 - t0)) s; image size $size"
