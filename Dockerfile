FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 MINUTES_HOST=0.0.0.0
WORKDIR /app
# Dependencies first, so code changes reuse the layer.
COPY pyproject.toml README.md ./
RUN mkdir -p service && touch service/__init__.py && pip install . && rm -rf service
COPY service ./service
COPY models ./models
RUN pip install --no-deps .
EXPOSE 8000
USER nobody
CMD ["minutes", "serve", "--host", "0.0.0.0", "--port", "8000"]
