"""The HTTP API under /v1: one module per resource; request and answer models are documented in the OpenAPI schema."""
