"""The finished Audit and its parts: plain, typed, language-free data (renderers read only this)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, Sequence

from ..checks.model import CheckSpec, Finding, Severity, Status
from ..i18n import Message
from .scoring import traffic_light

if TYPE_CHECKING:
    from ..collect.snapshot import Snapshot


class CheckResult(NamedTuple):
    """One check: its specification, overall status (the worst finding) and findings."""

    spec: CheckSpec
    status: Status
    findings: list[Finding]


class Action(NamedTuple):
    """A top action: a failing or warning check and its first finding."""

    spec: CheckSpec
    status: Status
    finding: Finding


@dataclass(frozen=True)
class Tenant:
    id: str
    name: str
    cloud: str
    endpoint: str


NOTHING_UNREAD = frozenset({"licence", "fallback"})  # reason codes of not_evaluated that leave no data unread


@dataclass(frozen=True)
class NotEvaluated:
    """A snapshot section that could not be (fully) read, and why.

    ``reason_code`` is one of licence, permission, concealed, fallback, skipped, failed; ``name`` and
    ``reason`` are catalogue messages (``name[lang]`` gives the words).
    """

    section: str
    status: str
    reason_code: str
    name: Message
    reason: Message
    permission: str = ""
    licence: str | Message = ""  # a Message where Graph said a licence is missing but the read named none
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Privacy:
    pseudonymized: bool = False
    aggregate_only: bool = False


@dataclass(frozen=True)
class Audit:
    """A finished, language-free audit of one tenant at one moment."""

    tenant: Tenant
    collected_at: str
    checks: list[CheckResult]
    people: Sequence[dict]  # the per-person matrix, one row per enabled member (a list; one_shot: audit/rows.py Rows)
    departments: list[dict]
    summary: dict  # counts (people, ready, not_ready, ...), reasons, seats_to_buy, device_rule, mfa_source
    score: int | None  # overall 0-100, None when nothing could be scored
    areas: dict[str, int | None]
    licences: list[dict]
    seats_to_buy: int
    not_evaluated: list[NotEvaluated]
    top_actions: list[Action]
    trend: dict | None = None
    requests: dict = field(default_factory=dict)
    privacy: Privacy = Privacy()
    # the snapshots it was computed from: only the audit layer reads them (privacy derives a private audit)
    source: Snapshot | None = field(default=None, repr=False, compare=False)
    previous_source: Snapshot | None = field(default=None, repr=False, compare=False)

    @property
    def overall(self) -> int | None:
        return self.score

    @property
    def light(self) -> str:
        return traffic_light(self.score)

    @property
    def status(self) -> str:
        """"partial" when data the tenant has could not be read or used (a fault, a missing permission, names
        concealed in usage reports, a section skipped), "failed" when faults left nothing readable, else "success".
        A section the tenant holds no licence for (no Intune: no managed devices to read) or one checked another
        way is listed in ``not_evaluated`` but leaves nothing unread, so it does not make the result partial."""
        if self.source is not None and self.source.completeness() == "failed":
            return "failed"
        return "partial" if any(m.reason_code not in NOTHING_UNREAD for m in self.not_evaluated) else "success"

    @property
    def errors(self) -> list[dict]:
        """Sections lost to faults (the JSON envelope's ``errors``); the audit is incomplete (exit code 6)."""
        return self.source.errors() if self.source is not None else []

    def worst_failing(self, threshold: Severity | str) -> list[CheckSpec]:
        """Checks that fail at or above a severity (for --fail-on)."""
        threshold = Severity(threshold)
        return [c.spec for c in self.checks if c.status == Status.FAIL and c.spec.severity.rank >= threshold.rank]

    def check(self, check_id: str) -> CheckResult | None:
        return next((c for c in self.checks if c.spec.id == check_id), None)
