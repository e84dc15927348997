"""Settings: one root read from MINUTES_* variables, with nested groups."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Limits(BaseModel):
    """Size limits on a minute's text and on a request body or file."""

    max_text_chars: int = Field(300_000, description="Longest minute text accepted, in characters.")
    max_upload_bytes: int = Field(10_000_000, description="Largest request body or file accepted.")


class RulesSettings(BaseModel):
    """Which province's rule overrides apply, and a file of extra overrides."""

    province: str | None = Field(None, description="Province whose overrides apply (rulesets.yaml).")
    overrides_file: str | None = Field(None, description="YAML file with extra `provinces:` overrides.")


class SearchSettings(BaseModel):
    """The search index: backend, embedding model, HNSW parameters and how dense and BM25 results are fused."""

    backend: Literal["edge", "qdrant-local", "memory"] = Field(
        "edge", description="Embedded index: `edge` (Qdrant engine in-process), `qdrant-local` (qdrant-client "
                            "local mode, slow past ~10k chunks) or `memory` (tests). Ignored when `qdrant_url` is set.")
    embedder: Literal["e5", "hash"] = Field(
        "e5", description="`e5`: multilingual-e5-small; `hash`: hashed words, no model (tests only).")
    model_dir: Path | None = Field(
        None, description="sentence-transformers directory (default: models/multilingual-e5-small).")
    threads: int | None = Field(None, description="CPU threads for embedding passages (default: torch's "
                                                  "choice); a query is always embedded on one thread.")
    precision: Literal["auto", "float32", "bfloat16"] = Field(
        "auto", description="Number format the embedding model runs in: `auto` picks bfloat16 where the CPU "
                            "computes it natively (about 2.5× faster, vectors at cosine > 0.9999 to float32's), "
                            "float32 elsewhere.")
    query_runtime: Literal["auto", "onnx", "torch"] = Field(
        "auto", description="What embeds a query: `onnx` runs the model's encoder layers in ONNX Runtime (same "
                            "vector, half the time, no torch in a process that only searches); `torch` the "
                            "sentence-transformers model; `auto` ONNX Runtime where the model directory has "
                            "query_encoder.onnx.")
    hnsw_m: int = Field(32, description="HNSW graph degree.")
    hnsw_ef_construct: int = Field(200, description="HNSW build beam width.")
    hnsw_ef: int = Field(1024, description="HNSW search beam width (recall@10 vs exact 0.99 at 200k chunks; 0.94 at 512).")
    candidates: int = Field(100, description="Chunks each of the dense and the BM25 search hand on to rescoring "
                                             "by line vectors and to the fusion.")
    feedback_docs: int = Field(3, description="Hybrid search widens its BM25 query with the telling words of this "
                                              "many best chunks and searches again; 0 turns this off.")
    feedback_terms: int = Field(30, description="Words added to the BM25 query by feedback.")
    feedback_weight: float = Field(0.5, description="Weight of the strongest added word, against 1 for a word of "
                                                    "the query.")
    ascii_dense_weight: float = Field(
        0.0, description="Fusion weight of the dense side for a query typed without diacritics whose diacritics "
                         "could not be restored (sparse weighs 1); 0 searches such a query by its BM25 terms alone.")
    restored_dense_weight: float = Field(0.5, description="Fusion weight of the dense side for a query typed "
                                                          "without diacritics and embedded as restored.")
    dense_weight: float = Field(1.0, description="Fusion weight of the dense side, against 1 for BM25.")
    min_restored: float = Field(0.6, description="Share of a query's syllables that restoration must be sure of "
                                                 "before the restored text is embedded.")
    expansion_weight: float = Field(0.5, description="BM25 weight of a thesaurus or lexicon word added to a query, "
                                                     "against 1 for the query's own words.")
    period_boost: float = Field(0.5, description="Added to passages of the month or year a query names, as a share "
                                                 "of the best score (0 turns it off).")
    facet_boost: float = Field(1.0, description="Added to passages of a minute with what a query asks for (a meeting "
                                                "type, a split vote), as a share of the best score, for each (0 turns "
                                                "it off).")
    layout: Literal["fast", "compact"] = Field(
        "fast", description="How the index stores vectors: `fast` keeps chunk vectors in memory; `compact` keeps "
                            "them on disk with an int8 copy in memory, line vectors in 8 bits and the BM25 index "
                            "and payloads on disk, for archives of a million chunks and more. A change needs "
                            "`minutes reindex`.")
    optimize_after: int = Field(20_000, description="Embedded index: build the HNSW graph once this many "
                                                    "chunks wait unindexed.")


class AuthSettings(BaseModel):
    """Sign-in: open access, session lifetimes, cookies and limits on failed sign-ins."""

    open_check: bool = Field(
        False, description="Let anyone call POST /v1/check without a key. Off by default: tools send "
                           "`Authorization: Bearer KEY`.")
    open_without_users: bool = Field(
        True, description="While the archive has no user at all, serve the /v1 API without sign-in (set-up mode). "
                          "`minutes serve` creates the first admin before it listens, so a served archive always "
                          "requires sign-in; false refuses every request until a user exists.")
    session_hours: float = Field(8.0, description="A signed-in session ends after this many hours without use.")
    session_max_hours: float = Field(24.0, description="A session ends this many hours after sign-in, used or not.")
    cookie_secure: bool = Field(False, description="Mark cookies Secure (set when served over HTTPS).")
    login_max_failures: int = Field(5, description="Failed sign-ins per user name and address before a pause.")
    login_max_failures_ip: int = Field(20, description="Failed sign-ins from one address, any name, before a pause.")
    login_window_s: int = Field(900, description="Window (seconds) over which failed sign-ins are counted.")


class ExportSettings(BaseModel):
    """Size limits on one export: minutes in a CSV or XLSX, bytes of originals in a zip."""

    max_minutes: int = Field(20_000, description="Most minutes one CSV or XLSX export may hold.")
    max_archive_bytes: int = Field(2_000_000_000, description="Most bytes of original files one zip archive "
                                   "of a period may hold.")


class DocumentSettings(BaseModel):
    """Reading files into text: page, time and memory limits, the conversion queue and OCR."""

    max_pages: int = Field(40, description="Most pages read from one file (PDF, TIFF, DOCX page breaks).")
    timeout_s: float = Field(180.0, description="Longest time one file may take to convert, OCR included.")
    memory_mb: int = Field(2048, description="Address-space limit of the conversion worker process, in MiB.")
    isolate: bool = Field(True, description="Convert files other than plain text in a separate worker process "
                                            "(time and memory limits enforced); off only for debugging.")
    workers: int = Field(2, description="Conversions run at once by the HTTP server; others wait their turn.")
    share: float = Field(0.5, description="Share of those conversions one user may hold at once (at least one), so "
                                          "that one user's long scans leave room for everyone else.")
    pages_per_user: int = Field(120, description="Pages one user may have waiting or converting at once; another "
                                                 "upload past this is refused (QUEUE_FULL, 429) until some finish.")
    max_pixels: int = Field(60_000_000, description="Largest page image accepted, in pixels (decompression bombs).")
    max_unpacked_bytes: int = Field(60_000_000, description="Largest uncompressed content of a DOCX (zip bombs).")
    ocr_language: str = Field("vie", description="Tesseract language(s), e.g. `vie` or `vie+eng`.")
    ocr_psm: int = Field(3, description="Tesseract page segmentation mode.")
    ocr_dpi: int = Field(300, description="Resolution at which PDF pages without a text layer are rendered for OCR.")
    ocr_jobs: int = Field(0, description="Pages recognised in parallel, one Tesseract thread each (0: one per core, "
                                         "at most 4).")
    ocr_preparation: list[str] = Field(
        default_factory=lambda: ["colour", "rescale", "deskew", "flatten", "despeckle"],
        description="Scan preparation steps before OCR: colour, rescale, deskew, flatten, despeckle.")
    ocr_low_confidence: float = Field(
        80.0, description="A scanned page whose mean word confidence is below this gets an OCR-LOW-CONFIDENCE warning.")
    tesseract: str = Field("tesseract", description="Tesseract program.")
    soffice: str = Field("soffice", description="LibreOffice program used for .doc and .rtf files.")


class ServerSettings(BaseModel):
    """The HTTP server: trusted proxies, request deadlines, connection caps and who may read the API docs."""

    trusted_proxies: list[str] = Field(
        default_factory=list, description="Addresses of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto "
                                          "headers are believed (e.g. `[\"127.0.0.1\"]` behind a local nginx). Empty "
                                          "(the default): forwarded headers are ignored and the peer address is the "
                                          "client's, for the audit log and the sign-in limits.")
    header_timeout_s: float = Field(10.0, description="A request's headers must arrive within this many seconds of "
                                                      "its first byte, or the connection is closed (408).")
    body_timeout_s: float = Field(120.0, description="A request's body must arrive within this many seconds after "
                                                     "its headers, or the connection is closed.")
    keep_alive_s: int = Field(5, description="An idle kept-alive connection is closed after this many seconds.")
    max_connections: int = Field(512, description="Open connections at once: one more is closed at once (file "
                                                  "descriptors stay available for the service); requests past this "
                                                  "many at once are answered 503.")
    max_connections_per_client: int = Field(64, description="Open connections from one address at once; one more "
                                                             "is closed at once (one client cannot take them all).")
    docs: Literal["signed-in", "public", "off"] = Field(
        "signed-in", description="The API documentation (/docs, /openapi.json): for signed-in users, for anyone, "
                                 "or not served.")


class Settings(BaseSettings):
    """Every setting, read from ``MINUTES_*`` environment variables (``__`` separates nested groups)."""

    model_config = SettingsConfigDict(env_prefix="MINUTES_", env_nested_delimiter="__",
                                      extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    limits: Limits = Field(default_factory=Limits)
    rules: RulesSettings = Field(default_factory=RulesSettings)
    section_model: str | None = Field(
        None, description="Path of the spaCy section classifier (default: models/section_classifier); "
                          "'none' uses the keyword rules alone.")
    data_dir: Path = Field(Path("data"), description="Directory holding all state: archive, index, models built.")
    store_url: str | None = Field(
        None, description="Archive database: none uses SQLite in the data directory; "
                          "`sqlite:///PATH` or `postgresql://user:pass@host/db` choose one explicitly.")

    server: ServerSettings = Field(default_factory=ServerSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    exports: ExportSettings = Field(default_factory=ExportSettings)
    documents: DocumentSettings = Field(default_factory=DocumentSettings)
    qdrant_url: str | None = Field(
        None, description="Qdrant server or cluster URL; when set, the index lives there instead of the data directory.")
    qdrant_api_key: str | None = Field(None, description="API key for `qdrant_url`.")

    def archive_url(self) -> str:
        """The archive database URL, defaulting to SQLite inside the data directory."""
        return self.store_url or f"sqlite:///{self.data_dir / 'archive.sqlite3'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings from the environment, read once and cached."""
    return Settings()
