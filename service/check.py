"""The one use case behind every door: read a minute and check it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from service.errors import ConversionError, ErrorCode, InputError
from service.intake import validate_text
from service.nlp.extent import measure
from service.nlp.extract import EXTRACTOR_VERSION, extract
from service.nlp.language import detect
from service.nlp.normalize import NormalizedText, normalize
from service.nlp.section_model import load_classifier
from service.nlp.sections import SectionClassifier
from service.nlp.text import Doc
from service.rules.checks import Context, checks
from service.rules.ruleset import load_ruleset, note_rules, ruleset_name_for
from service.rules.scoring import score
from service.schema.record import Record
from service.schema.report import CheckReport, Finding, FindingState, Severity, TextInfo
from service.settings import Settings, get_settings

_SPACES = re.compile(r"[ \t]{2,}")


class _Values(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "…"


def check_text(text: str, *, source: str | None = None, settings: Settings | None = None,
               include_text: bool = False, classifier: SectionClassifier | None = None,
               province: str | None = None) -> CheckReport:
    """Normalise, extract and check one minute's text.

    >>> check_text("BIÊN BẢN SINH HOẠT CHI BỘ …").complete
    """
    settings = settings or get_settings()
    validate_text(text, limits=settings.limits)
    return _check(normalize(text), source=source, settings=settings, include_text=include_text,
                  classifier=classifier, province=province)


def recheck_text(text: str, *, reading: CheckReport, corrections: Mapping[str, Any],
                 states: Mapping[str, tuple[FindingState, str | None]], settings: Settings | None = None
                 ) -> CheckReport:
    """Check a stored minute again with people's corrections and judgements.

    The reader reads the text anew; ``corrections`` (field path → value, see
    service.schema.corrections) replace what it read before the rules run, so findings,
    score and grade follow the corrected record. Findings of a rule in ``states``
    carry its state and note; dismissed ones stay listed but leave the score and the
    completeness. What came from the file rather than the text (the document, OCR
    warnings) is kept from ``reading``.
    """
    from service.schema.corrections import apply

    settings = settings or get_settings()
    rules = checks()
    carried = [f.model_copy() for f in reading.findings if f.rule not in rules and f.rule != "RULESET-DEFAULT"]
    placed = reading.record.meeting

    def amend(record: Record) -> None:
        # The unit the minute was filed under at upload (matched against the unit tree) stays.
        record.meeting.dang_bo, record.meeting.chi_bo = placed.dang_bo, placed.chi_bo
        apply(record, dict(corrections))

    # The stored text is normalised already; normalising again could move the spans the report keeps.
    norm = NormalizedText(text=text, steps=[s for s in reading.text.steps
                                            if s != EXTRACTOR_VERSION and not s.startswith("rules:")])
    report = _check(norm, source=reading.source, settings=settings, include_text=False, classifier=None,
                    province=None, amend=amend, states=states, carried=carried)
    report.document = reading.document
    return report


def _check(norm: NormalizedText, *, source: str | None, settings: Settings, include_text: bool,
           classifier: SectionClassifier | None, province: str | None,
           amend: Callable[[Record], None] | None = None,
           states: Mapping[str, tuple[FindingState, str | None]] | None = None,
           carried: list[Finding] | None = None) -> CheckReport:
    doc = Doc(norm.text)
    extent = measure(doc)
    if not extent.is_minute:
        raise not_a_minute(norm.text)
    if extent.end < len(doc.text):
        doc = Doc(norm.text[:extent.end])  # the first of several minutes; spans stay offsets into the whole text
    if classifier is None and settings.section_model != "none":
        classifier = load_classifier(settings.section_model)
    record, evidence = extract(doc, classifier=classifier)
    evidence.extent = extent
    if amend is not None:
        amend(record)

    day = date.fromisoformat(record.meeting.date) if record.meeting.date else None
    province = province or settings.rules.province
    name = ruleset_name_for(day, settings.rules.overrides_file)
    try:
        ruleset = load_ruleset(name, province=province, overrides_file=settings.rules.overrides_file)
    except KeyError as e:
        raise InputError(ErrorCode.UNKNOWN_PROVINCE,
                         f"Không có bộ tiêu chí của tỉnh “{province}”.") from e

    ctx = Context(doc=doc, record=record, evidence=evidence, thresholds=ruleset.thresholds)
    findings: list[Finding] = []
    for rule_id, check in checks().items():
        spec = ruleset.rules.get(rule_id)
        if spec is None:
            continue
        for breach in check(ctx):
            findings.append(Finding(
                rule=rule_id,
                severity=spec.severity,
                message=spec.message.format_map(_Values(breach.values)),
                reference=spec.reference,
                span=breach.span,
                fix=spec.fix,
            ))
    if day is None:
        note = note_rules("reading_rules")["RULESET-DEFAULT"]
        findings.append(Finding(rule=note.id, severity=note.severity, message=note.text(name=name),
                                reference=ruleset.source, span=None))
    findings.extend(carried or ())
    for f in findings:
        f.state, f.note = (states or {}).get(f.rule, (FindingState.OPEN, None))
    counted = [f for f in findings if f.state is not FindingState.DISMISSED]
    return CheckReport(
        source=source,
        ruleset=name,
        record=record,
        findings=findings,
        score=score(counted, ruleset),
        complete=not any(f.severity == Severity.ERROR for f in counted),
        text=TextInfo(sha256=norm.sha256, length=len(norm.text),
                      steps=norm.steps + [EXTRACTOR_VERSION, f"rules:{ruleset.version}"],
                      content=norm.text if include_text else None),
    )


def not_a_minute(text: str) -> InputError:
    """The error for a text with none of the words every chi bộ minute uses."""
    lang = detect(text)
    if lang.code == "en":
        what = "Văn bản viết bằng tiếng Anh"
    elif lang.code == "other":
        what = "Văn bản không phải tiếng Việt"
    else:
        what = "Văn bản không có dấu hiệu của biên bản sinh hoạt chi bộ"
    return InputError(ErrorCode.NOT_MINUTES,
                      f"{what}: không thấy các cụm “biên bản”, “chi bộ”, “đảng viên”, “đồng chí”… Hãy gửi biên bản "
                      "sinh hoạt chi bộ (tiếng Việt, có dấu hoặc không dấu).", status=422)


def check_bytes(data: bytes, *, source: str | None = None, settings: Settings | None = None,
                include_text: bool = False, province: str | None = None) -> CheckReport:
    """Read a file of any supported format (chosen by its content) and check it.

    Plain text is decoded in-process; DOCX, DOC, PDF and scans are converted in a
    worker process with the time, memory and page limits of ``settings.documents``.
    The report's ``document`` says how the file was read and maps the text back to
    its pages; a scanned page read with low confidence adds an OCR-LOW-CONFIDENCE warning.
    """
    from service.documents.provenance import document_info
    from service.documents.registry import format_from_name
    from service.documents.runner import convert_document

    settings = settings or get_settings()
    if len(data) > settings.limits.max_upload_bytes:
        raise InputError(ErrorCode.PAYLOAD_TOO_LARGE,
                         f"Tệp quá lớn ({len(data):,} byte); giới hạn là {settings.limits.max_upload_bytes:,} byte.",
                         status=413)
    if not data.strip():
        raise InputError(ErrorCode.EMPTY_INPUT, "Tệp rỗng, không có nội dung biên bản.")
    document = convert_document(data, settings=settings)
    text = document.text
    if document.format != "txt" and not any(c.isalpha() for c in text):
        raise ConversionError(
            ErrorCode.NO_TEXT_FOUND,
            "Không đọc được chữ nào trong tệp (trang trắng, ảnh quá mờ hoặc không phải văn bản)." if document.ocr
            else "Tệp không có nội dung chữ nào.")
    # Column padding from the layout is not content: judge the letters without it.
    validate_text(_SPACES.sub(" ", text), limits=settings.limits)
    norm = normalize(text)
    report = _check(norm, source=source, settings=settings, include_text=include_text, classifier=None,
                    province=province)
    info = document_info(document, data=data, norm=norm.text, low_confidence=settings.documents.ocr_low_confidence,
                         declared_format=format_from_name(source))
    low = [p for p in info.pages
           if p.method == "ocr" and p.confidence is not None and p.confidence < settings.documents.ocr_low_confidence]
    note = note_rules("reading_rules")["OCR-LOW-CONFIDENCE"]
    for p in low:
        report.findings.append(Finding(rule=note.id, severity=note.severity,
                                       message=note.text(page=p.page, confidence=f"{p.confidence:.0f}"),
                                       reference=note.reference, span=p.span))
    report.document = info
    return report
