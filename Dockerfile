# The service on embedded defaults: SQLite archive and Qdrant Edge index under /data.
#   docker build -t minutes .
#   docker run -p 8000:8000 -v minutes-data:/data minutes
# Build arguments (defaults suit a machine that reaches Docker Hub and download.pytorch.org):
#   BASE         the base image; any Debian bookworm works, with or without python3
#                (scripts/build_image.sh passes a local mmdebstrap minbase)
#   TORCH_INDEX  where pip finds the CPU-only torch; empty: only PyPI and PIP_ARGS
#   PIP_ARGS     extra pip options, e.g. "--find-links /wheels --cert /ca.crt" for files
#                mounted at build time (buildah/podman build --volume)
ARG BASE=python:3.11-slim-bookworm
FROM ${BASE}
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ARG PIP_ARGS=""
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 LANG=C.UTF-8 \
    MINUTES_DATA_DIR=/data HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PATH=/opt/venv/bin:$PATH

# Scans (Tesseract with Vietnamese), .doc/.rtf (LibreOffice Writer, headless), sqlite3 for
# `minutes recover-store`;
# Python 3 from Debian when the base has none with venv (python:3.11-slim has its own).
RUN apt-get update \
 && py=$(python3 -c "import ensurepip" 2>/dev/null || echo "python3 python3-venv ca-certificates") \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-vie libreoffice-writer-nogui sqlite3 $py \
 && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv /opt/venv

WORKDIR /app
# Dependencies first, so code changes reuse the layer; the CPU-only torch first, so that
# nothing pulls a CUDA build.
COPY pyproject.toml README.md ./
RUN pip install $PIP_ARGS --upgrade pip \
 && pip install $PIP_ARGS ${TORCH_INDEX:+--extra-index-url "$TORCH_INDEX"} "torch==2.13.0" \
 && python -c "import importlib.metadata as m; assert not any('nvidia' in r for r in m.requires('torch') or []), 'CUDA torch'" \
 && mkdir -p service && touch service/__init__.py && pip install $PIP_ARGS . \
 && pip uninstall -y minutes && rm -rf service

# The code, installed in place: models/ is found next to service/.
COPY service ./service
COPY models/section_classifier ./models/section_classifier
COPY tools ./tools
RUN pip install $PIP_ARGS --no-deps -e . \
 && python -m tools.model_build \
 && mkdir -p /data && chown nobody /data

VOLUME /data
EXPOSE 8000
USER nobody
CMD ["minutes", "serve", "--host", "0.0.0.0", "--port", "8000"]
