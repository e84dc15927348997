# The service on embedded defaults: SQLite archive and Qdrant Edge index under /data.
#   docker build -t minutes .
#   docker run -p 8000:8000 -v minutes-data:/data minutes
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 MINUTES_DATA_DIR=/data HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

# Scans (Tesseract with Vietnamese) and .doc/.rtf (LibreOffice Writer, headless).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-vie libreoffice-writer-nogui \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first, so code changes reuse the layer; torch from its CPU-only index.
COPY pyproject.toml README.md ./
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu "torch==2.13.0" \
 && mkdir -p service && touch service/__init__.py && pip install . && pip uninstall -y minutes && rm -rf service

# The code, installed in place: models/ is found next to service/.
COPY service ./service
COPY models/section_classifier ./models/section_classifier
RUN pip install --no-deps -e . \
 && python -m service.search.model_build \
 && mkdir -p /data && chown nobody /data

VOLUME /data
EXPOSE 8000
USER nobody
CMD ["minutes", "serve", "--host", "0.0.0.0", "--port", "8000"]
