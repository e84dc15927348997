"""Points and grade of a minute from its findings.

Every rule carries points in rulesets.yaml; they add up to 100. A minute starts
at 100 and loses a rule's points once when it breaks that rule, however often.
Grades follow the bands of domain §6 (Tốt ≥ 90, Khá 70–89, Trung bình 50–69,
Kém < 50); a minute with an error-level finding cannot be Tốt.
"""

from __future__ import annotations

from service.rules.ruleset import RuleSet
from service.schema.report import Finding, Grade, PointsLost, Score, Severity


def score(findings: list[Finding], ruleset: RuleSet) -> Score:
    """Points and grade of a minute: 100 less each broken rule's points once; an error holds the grade at Khá."""
    broken = sorted({f.rule for f in findings if f.severity != Severity.INFO and f.rule in ruleset.rules},
                    key=lambda r: (-ruleset.rules[r].points, r))
    lost = [PointsLost(rule=r, title=ruleset.rules[r].title, points=ruleset.rules[r].points) for r in broken
            if ruleset.rules[r].points]
    points = max(0, 100 - sum(x.points for x in lost))
    has_error = any(f.severity == Severity.ERROR for f in findings)
    if points >= 90 and not has_error:
        grade = Grade.TOT
    elif points >= 70:
        grade = Grade.KHA
    elif points >= 50:
        grade = Grade.TRUNG_BINH
    else:
        grade = Grade.KEM
    return Score(points=points, grade=grade, lost=lost, capped=points >= 90 and has_error)
