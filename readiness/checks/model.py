"""Findings, statuses, severities and the check specification."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Iterable

from ..i18n import Message


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


@dataclass(frozen=True)
class Finding:
    check_id: str
    status: Status
    message: Message  # language-free: catalogue key (checks.<id>.<outcome>) + parameters; one sentence for a table cell
    target: str = "tenant"  # what the finding is about: "tenant", a SKU, a policy ...
    evidence: dict[str, Any] = field(default_factory=dict)  # only the values looked at, with their source


@dataclass(frozen=True)
class CheckSpec:
    id: str
    area: str
    severity: Severity
    requires: tuple[str, ...]
    fix_playbook: str | None
    effort: str  # minutes | hours | days: what the fix costs, for the manager's top actions
    func: Callable[[Any], Iterable[Finding]]
    references: tuple[str, ...] = ()

    # title, rationale and remediation live in the catalogue under checks.<id>.*
    @property
    def title(self) -> Message:
        return Message(f"checks.{self.id}.title")

    @property
    def rationale(self) -> Message:
        return Message(f"checks.{self.id}.rationale")

    @property
    def remediation(self) -> Message:
        return Message(f"checks.{self.id}.remediation")
