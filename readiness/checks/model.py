"""Findings, statuses, severities and the check specification."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Iterable


class Status(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    NOT_EVALUABLE = "not_evaluable"  # a section could not be read: never a fail, never silent
    ERROR = "error"  # the check itself broke; the run goes on


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}[self.value]

    @staticmethod
    def parse(value: str) -> Severity:
        return Severity(value.lower())


AREAS = ("licences", "teams", "sharing", "devices", "identity")


def t(en: str, de: str) -> dict[str, str]:
    """A text in English and German."""
    return {"en": en, "de": de}


@dataclass(frozen=True)
class Finding:
    check_id: str
    status: Status
    message: dict[str, str]  # one sentence per language, reads alone in a table cell
    target: str = "tenant"  # what the finding is about: "tenant", a SKU, a policy ...
    evidence: dict[str, Any] = field(default_factory=dict)  # only the values looked at, with their source


@dataclass(frozen=True)
class CheckSpec:
    id: str
    area: str
    severity: Severity
    title: dict[str, str]
    requires: tuple[str, ...]
    rationale: dict[str, str]
    remediation: dict[str, str]
    fix_playbook: str | None
    effort: str  # minutes | hours | days: what the fix costs, for the manager's top actions
    func: Callable[[Any], Iterable[Finding]]
    references: tuple[str, ...] = ()
