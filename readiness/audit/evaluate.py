"""evaluate(snapshot) -> AuditResult: checks, the per-person matrix and scores (pure, offline)."""
from __future__ import annotations

from dataclasses import dataclass

from ..audit.facts import facts
from ..checks.model import CheckSpec, Finding, Severity, Status
from ..checks.registry import run_checks
from ..collect.snapshot import Snapshot
from .matrix import Matrix, build_matrix
from .subscriptions import licence_rows
from .scoring import area_scores, check_status, overall_score, traffic_light

EFFORT_ORDER = {"minutes": 0, "hours": 1, "days": 2}


@dataclass
class AuditResult:
    snapshot: Snapshot
    results: list[tuple[CheckSpec, list[Finding]]]
    matrix: Matrix
    areas: dict[str, int | None]
    overall: int | None

    @property
    def checks(self) -> list[tuple[CheckSpec, Status, list[Finding]]]:
        return [(spec, check_status(findings), findings) for spec, findings in self.results]

    def top_actions(self, limit: int = 5) -> list[tuple[CheckSpec, Status, Finding]]:
        """Failing and warning checks, most severe first, quick fixes before slow ones."""
        open_ = [(spec, st, fs[0]) for spec, st, fs in self.checks if st in (Status.FAIL, Status.WARN)]
        open_.sort(key=lambda x: (x[1] != Status.FAIL, -x[0].severity.rank, EFFORT_ORDER.get(x[0].effort, 1), x[0].id))
        return open_[:limit]

    def not_evaluated(self, lang: str = "en") -> list[dict]:
        """Sections that could not be read, and why: the report lists them, they never vanish."""
        from ..checks.unavailable import NAMES, describe

        out = []
        for name, sec in sorted(self.snapshot.sections.items()):
            if sec.status == "complete":
                continue
            out.append({"section": name, "name": NAMES.get(name, {}).get(lang, name), "status": sec.status,
                        "reason": describe(sec)[lang], "permission": sec.permission, "licence": sec.licence,
                        "notes": sec.notes})
        return out

    def worst_failing(self, threshold: Severity) -> list[CheckSpec]:
        return [spec for spec, st, _ in self.checks if st == Status.FAIL and spec.severity.rank >= threshold.rank]

    def seats_to_buy(self) -> int:
        from ..checks.licences import seat_plan

        return seat_plan(facts(self.snapshot))["to_buy"] if self.snapshot.section("skus").usable else 0


def evaluate(snapshot: Snapshot) -> AuditResult:
    """Run every check over a snapshot and build the matrix and scores. No network, no clock."""
    results = run_checks(snapshot)
    matrix = build_matrix(facts(snapshot))
    areas = area_scores(results)
    return AuditResult(snapshot, results, matrix, areas, overall_score(areas, matrix.summary))


def audit_data(result: AuditResult, lang: str = "en") -> dict:
    """Everything the audit found, as plain data (the JSON output's ``data``)."""
    snap = result.snapshot
    f = facts(snap)
    return {
        "tenant": {"id": snap.tenant_id, "name": snap.tenant_name, "cloud": snap.cloud, "endpoint": snap.endpoint},
        "collected_at": snap.collected_at,
        "score": {"overall": result.overall, "light": traffic_light(result.overall),
                  "areas": {a: {"score": s, "light": traffic_light(s)} for a, s in result.areas.items()}},
        "summary": dict(result.matrix.summary, seats_to_buy=result.seats_to_buy(), device_rule=f.device_rule,
                        mfa_source=f.mfa_source),
        "licences": licence_rows(snap),
        "checks": [{"id": spec.id, "area": spec.area, "severity": spec.severity.value, "status": st.value,
                    "title": spec.title[lang], "fix_playbook": spec.fix_playbook, "effort": spec.effort,
                    "findings": [{"status": x.status.value, "target": x.target, "message": x.message[lang],
                                  "evidence": x.evidence} for x in fs]}
                   for spec, st, fs in result.checks],
        "top_actions": [{"id": spec.id, "title": spec.title[lang], "severity": spec.severity.value, "status": st.value,
                         "message": fd.message[lang], "remediation": spec.remediation[lang], "effort": spec.effort,
                         "fix_playbook": spec.fix_playbook} for spec, st, fd in result.top_actions()],
        "people": result.matrix.rows,
        "departments": result.matrix.departments,
        "not_evaluated": result.not_evaluated(lang),
        "requests": snap.requests,
    }
