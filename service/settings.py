"""Settings: one root read from MINUTES_* variables, with nested groups."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Limits(BaseModel):
    max_text_chars: int = Field(300_000, description="Longest minute text accepted, in characters.")
    max_upload_bytes: int = Field(10_000_000, description="Largest request body or file accepted.")


class RulesSettings(BaseModel):
    province: str | None = Field(None, description="Province whose overrides apply (rulesets.yaml).")
    overrides_file: str | None = Field(None, description="YAML file with extra `provinces:` overrides.")


class Settings(BaseSettings):
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

    def archive_url(self) -> str:
        """The archive database URL, defaulting to SQLite inside the data directory."""
        return self.store_url or f"sqlite:///{self.data_dir / 'archive.sqlite3'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
