"""The one use case behind every door: read a minute and check it."""

from __future__ import annotations

from datetime import date

from service.errors import ErrorCode, InputError
from service.intake import decode_text, validate_text
from service.nlp.extract import EXTRACTOR_VERSION, extract
from service.nlp.normalize import normalize
from service.nlp.section_model import load_classifier
from service.nlp.sections import SectionClassifier
from service.nlp.text import Doc
from service.rules.checks import Context, checks
from service.rules.ruleset import load_ruleset, ruleset_name_for
from service.rules.scoring import score
from service.schema.report import CheckReport, Finding, Severity, TextInfo
from service.settings import Settings, get_settings


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
    norm = normalize(text)
    doc = Doc(norm.text)
    if classifier is None and settings.section_model != "none":
        classifier = load_classifier(settings.section_model)
    record, evidence = extract(doc, classifier=classifier)

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
            ))
    if day is None:
        findings.append(Finding(
            rule="RULESET-DEFAULT", severity=Severity.INFO,
            message=f"Không đọc được ngày sinh hoạt; áp dụng bộ tiêu chí mới nhất ({name}).",
            reference=ruleset.source, span=None))
    return CheckReport(
        source=source,
        ruleset=name,
        record=record,
        findings=findings,
        score=score(findings, ruleset),
        complete=not any(f.severity == Severity.ERROR for f in findings),
        text=TextInfo(sha256=norm.sha256, length=len(norm.text),
                      steps=norm.steps + [EXTRACTOR_VERSION, f"rules:{ruleset.version}"],
                      content=norm.text if include_text else None),
    )


def check_bytes(data: bytes, *, source: str | None = None, settings: Settings | None = None,
                include_text: bool = False, province: str | None = None) -> CheckReport:
    """Decode a plain-text file and check it."""
    settings = settings or get_settings()
    text = decode_text(data, limits=settings.limits)
    return check_text(text, source=source, settings=settings, include_text=include_text,
                      province=province)
