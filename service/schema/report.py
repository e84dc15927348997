"""The CheckReport: record, findings, score and the text the spans point into."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from service.schema.document import DocumentInfo
from service.schema.record import Record, Span

SCHEMA_VERSION = "1.0"


class Severity(StrEnum):
    """How much a finding weighs: an error makes the minute incomplete, a warning asks to check, info tells."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"




class Grade(StrEnum):
    """The minute's grade from its points: tốt, khá, trung bình, kém."""

    TOT = "tot"
    KHA = "kha"
    TRUNG_BINH = "trung_binh"
    KEM = "kem"


class FindingState(StrEnum):
    """Where a person has taken a finding: not yet judged, to be fixed, or wrong."""

    OPEN = "open"
    ACCEPTED = "accepted"  # the minute must be fixed
    DISMISSED = "dismissed"  # the finding is wrong (the reader misread); it leaves the score


class Finding(BaseModel):
    """One rule the minute breaks, with its message, legal reference and span."""

    model_config = ConfigDict(extra="forbid")

    rule: str
    severity: Severity
    message: str
    reference: str | None = None
    span: Span | None = None
    state: FindingState = Field(FindingState.OPEN, description="open, accepted (to be fixed) or dismissed "
                                "(wrong; left out of the score and the completeness).")
    note: str | None = Field(None, description="The reviewer's reason, for a dismissed or accepted finding.")
    fix: str | None = Field(None, description="How to put it right, in plain Vietnamese.")


class PointsLost(BaseModel):
    """The points one broken rule costs."""

    model_config = ConfigDict(extra="forbid")

    rule: str
    title: str
    points: int


class Score(BaseModel):
    """The minute's points out of 100, its grade, and where the points went."""

    model_config = ConfigDict(extra="forbid")

    points: int
    grade: Grade
    lost: list[PointsLost] = Field(default_factory=list, description="Where the points went: each broken rule "
                                   "once, with the points it costs (100 minus their sum is `points`).")
    capped: bool = Field(False, description="The points reach the grade Tốt, but an error-level finding holds "
                         "the grade at Khá.")


class TextInfo(BaseModel):
    """The normalised text that every span points into, and how it was made."""

    model_config = ConfigDict(extra="forbid")

    sha256: str
    length: int
    steps: list[str] = Field(default_factory=list)
    content: str | None = None


class CheckReport(BaseModel):
    """What checking one minute gives: the record read, the findings, the score and completeness."""

    model_config = ConfigDict(extra="forbid")

    schema_version: str = SCHEMA_VERSION
    source: str | None = None
    ruleset: str
    record: Record
    findings: list[Finding]
    score: Score
    complete: bool
    text: TextInfo
    document: DocumentInfo | None = Field(
        None, description="The source file (format, converter, OCR settings, pages) and where each stretch of "
                          "the normalised text comes from; absent when plain text was sent as JSON.")
