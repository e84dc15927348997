"""The extracted record of one minute, in the field names of the check contract."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

Span = tuple[int, int]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class MeetingType(StrEnum):
    """Kinds of chi bộ meeting: regular, thematic, cell committee, conference, congress, extraordinary."""

    THUONG_KY = "thuong_ky"
    CHUYEN_DE = "chuyen_de"
    CHI_UY = "chi_uy"
    HOI_NGHI = "hoi_nghi"
    DAI_HOI = "dai_hoi"
    BAT_THUONG = "bat_thuong"


class SectionKind(StrEnum):
    """The parts a minute is divided into, from its header to its signatures."""

    HEADER = "header"
    OPENING = "opening"
    ATTENDANCE = "attendance"
    AGENDA = "agenda"
    REPORT = "report"
    DISCUSSION = "discussion"
    CONCLUSION = "conclusion"
    RESOLUTION = "resolution"
    CRITICISM = "criticism"
    VOTE = "vote"
    CLOSING = "closing"
    SIGNATURES = "signatures"


class CriticismKind(StrEnum):
    """What a criticism item is: self-criticism, criticism of another, of the collective, praise, reminder."""

    SELF = "self"
    PEER = "peer"
    COLLECTIVE = "collective"
    PRAISE = "praise"
    REMINDER = "reminder"


class Period(_Model):
    """The month and year a meeting is for (its sinh hoạt period), which may differ from its date."""

    month: int | None = None
    year: int | None = None


class Person(_Model):
    """A person named in the minute, with the role written beside the name."""

    name: str
    role: str | None = None


class Secretary(_Model):
    """The thư ký who took the minute."""

    name: str


class Meeting(_Model):
    """The facts of the meeting: type, units, period, date, times, place, chair, thư ký, guests."""

    type: MeetingType | None = None
    combined_thematic: bool = False
    dang_bo: str | None = None
    chi_bo: str | None = None
    period: Period = Field(default_factory=Period)
    date: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    location: str | None = None
    chair: Person | None = None
    secretary: Secretary | None = None
    guests: list[Person] = Field(default_factory=list)


class ExcusedAbsence(_Model):
    """A member absent with leave, and the reason given."""

    name: str | None = None
    reason: str | None = None


class UnexcusedAbsence(_Model):
    """A member absent without leave."""

    name: str | None = None


class Attendance(_Model):
    """The headcount: members by kind, present, absent with and without leave, and the figures derived from them."""

    total: int | None = None
    official: int | None = None
    probationary: int | None = None
    exempt: int | None = None
    temporary_in: int | None = None
    temporary_out: int | None = None
    present: int | None = None
    absent_excused: list[ExcusedAbsence] = Field(default_factory=list)
    absent_unexcused: list[UnexcusedAbsence] = Field(default_factory=list)
    absent_excused_count: int | None = None
    absent_unexcused_count: int | None = None
    voting_base: int | None = None
    rate: float | None = None
    # Additions beyond the contract: what the computed figures rest on.
    exempt_present: int | None = None
    present_official: int | None = None
    expected: int | None = None


class Speaker(_Model):
    """One member who spoke in the discussion, and where."""

    speaker: str
    span: Span


class Task(_Model):
    """One task of a resolution: what, by whom, by when."""

    task: str
    assignee: str | None = None
    deadline: str | None = None
    span: Span | None = None


class Vote(_Model):
    """The vote on a resolution: for, against, abstaining, the percentage and the base it is counted on."""

    for_: int | None = Field(default=None, alias="for")
    against: int | None = None
    abstain: int | None = None
    percent: float | None = None
    base: int | None = None
    span: Span | None = None


class Resolution(_Model):
    """The resolution adopted: its text, tasks and vote."""

    text: str
    span: Span
    tasks: list[Task] = Field(default_factory=list)
    vote: Vote | None = None


class CriticismItem(_Model):
    """One item of the tự phê bình và phê bình section."""

    kind: CriticismKind
    target: str | None = None
    text: str
    span: Span


class Section(_Model):
    """One part of the minute, with its heading as written and its span."""

    kind: SectionKind
    title: str | None = None
    span: Span


class Signatures(_Model):
    """The names under the chair's and the thư ký's signatures."""

    chair: str | None = None
    secretary: str | None = None


class FieldState(StrEnum):
    """How far the reader got with a field."""

    FOUND = "found"              # a value was read (value, span, confidence)
    UNREADABLE = "unreadable"    # the minute announces it, but the value could not be read
    PLACEHOLDER = "placeholder"  # a template blank or sample name stands where the value should be
    ABSENT = "absent"            # the minute does not mention it


class FieldReading(_Model):
    """The state of one field, where it shows, and how sure the reader is."""

    state: FieldState
    confidence: float | None = None
    span: Span | None = None
    cue: str | None = None


class Record(_Model):
    """Everything the reader extracted from one minute; spans point into the normalised text."""

    meeting: Meeting = Field(default_factory=Meeting)
    attendance: Attendance = Field(default_factory=Attendance)
    discussion: list[Speaker] = Field(default_factory=list)
    resolutions: list[Resolution] = Field(default_factory=list)
    criticism: list[CriticismItem] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    minutes_read_back: bool = False
    signatures: Signatures = Field(default_factory=Signatures)
    quality_self_score: int | None = None
    # Addition beyond the contract: the state of every field a rule asks for.
    fields: dict[str, FieldReading] = Field(default_factory=dict)
