"""Rule sets as data: which set applies on a date, and its thresholds and texts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from service.schema.report import Severity


@dataclass(frozen=True)
class RuleSpec:
    """One rule of a rule set: severity, points, title, message, legal reference and fix."""

    id: str
    severity: Severity
    points: int
    title: str
    message: str
    reference: str
    fix: str | None = None  # how the clerk puts it right, in plain Vietnamese


@dataclass(frozen=True)
class RuleSet:
    """The rules in force for a period, with their thresholds and the document they come from."""

    name: str
    source: str
    thresholds: dict[str, float]
    rules: dict[str, RuleSpec]
    version: str


@lru_cache(maxsize=8)
def _load(overrides_file: str | None) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        resources.files("service.rules").joinpath("rulesets.yaml").read_text(encoding="utf-8")
    )
    if overrides_file:
        extra = yaml.safe_load(Path(overrides_file).read_text(encoding="utf-8")) or {}
        data["provinces"] = {**(data.get("provinces") or {}), **(extra.get("provinces") or {})}
    return data


def ruleset_name_for(day: date | None, overrides_file: str | None = None) -> str:
    """The rule set in force on ``day`` (the newest when the date is unknown)."""
    sets = _load(overrides_file)["rulesets"]
    ordered = sorted(sets.items(), key=lambda kv: kv[1]["from"])
    if day is None:
        return str(ordered[-1][0])
    chosen = str(ordered[0][0])
    for name, spec in ordered:
        if day >= spec["from"]:
            chosen = str(name)
    return chosen


def rule_ids() -> list[str]:
    """Every rule id the rules file defines."""
    return list(_load(None)["rules"])


@dataclass(frozen=True)
class NoteSpec:
    """A rule outside the single-minute rule sets: over a unit's archive, or a note on the reading."""

    id: str
    severity: Severity
    title: str
    message: str  # a template: str.format with the finding's values
    reference: str | None = None

    def text(self, **values: object) -> str:
        """The message with the finding's values filled in."""
        return self.message.format(**values)


@lru_cache(maxsize=2)
def note_rules(kind: str) -> dict[str, NoteSpec]:
    """``archive_rules`` or ``reading_rules`` of rulesets.yaml, by id."""
    return {rid: NoteSpec(id=rid, severity=Severity(spec["severity"]), title=spec["title"], message=spec["message"],
                          reference=spec.get("reference"))
            for rid, spec in (_load(None)[kind] or {}).items()}


def threshold(name: str) -> float:
    """A threshold of rulesets.yaml (before a province's overrides)."""
    return float(_load(None)["thresholds"][name])


def load_ruleset(name: str, *, province: str | None = None, overrides_file: str | None = None
                 ) -> RuleSet:
    """The rule set ``name`` with a province's overrides applied."""
    return _build(name, province, overrides_file)


@lru_cache(maxsize=64)
def _build(name: str, province: str | None, overrides_file: str | None) -> RuleSet:
    data = _load(overrides_file)
    rs = data["rulesets"][name]
    thresholds = dict(data["thresholds"])
    rule_over: dict[str, Any] = {}
    if province:
        prov = (data.get("provinces") or {}).get(province)
        if prov is None:
            raise KeyError(province)
        thresholds.update(prov.get("thresholds") or {})
        rule_over = prov.get("rules") or {}
    rules = {}
    for rid, spec in data["rules"].items():
        spec = {**spec, **(rule_over.get(rid) or {})}
        ref = spec["reference"]
        if isinstance(ref, dict):
            ref = ref.get(name) or next(iter(ref.values()))
        rules[rid] = RuleSpec(
            id=rid,
            severity=Severity(spec["severity"]),
            points=int(spec["points"]),
            title=spec["title"],
            message=spec["message"],
            reference=str(ref).replace("{source}", rs["source"]),
            fix=spec.get("fix"),
        )
    return RuleSet(name=name, source=rs["source"], thresholds=thresholds, rules=rules,
                   version=str(data["version"]))
