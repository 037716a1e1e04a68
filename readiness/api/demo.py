"""``readiness.demo``: the newcomer's first run, from a script: no sign-in, no tenant, the built-in simulator."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

LEAD_DEPARTMENTS = ("Geschäftsführung", "IT")


@dataclass
class Demo:
    """What ``readiness.demo`` made: the finished ``audit``, the HTML ``report`` it wrote (0600: it names people),
    the emergency playbook's ``plan`` (made offline from the ``snapshot``) and the ``params`` an admin would give."""

    audit: Any
    plan: Any
    report: Path
    params: dict[str, str]
    snapshot: Any

    @property
    def plan_command(self) -> str:
        """The command that plans the same on a real tenant."""
        params = " ".join(f"-p {k}={v}" for k, v in self.params.items())
        return f"readiness playbook plan emergency-home-office --tenant ... {params}"


def demo(profile: str = "unprepared-sme", *, seed: int = 7, size: int | None = None, lang: str = "en",
         report: Path | str | None = None, collect: Callable[[Any], Any] | None = None,
         progress: Callable[[str], None] | None = None) -> Demo:
    """Generate a tenant, serve it on 127.0.0.1, collect it over HTTP, evaluate it, write the HTML report in
    ``lang`` (default: the data folder's ``demo-report.html``) and plan the emergency playbook from the snapshot.

    + collect: a function(Connection) -> Snapshot used instead of ``readiness.collect`` (the CLI's shows progress).
    """
    import readiness

    from ..paths import data_dir, write_private
    from . import arguments

    arguments.language(lang)
    with readiness.serve_simulator(profile, seed=seed, size=size) as sim:
        conn = readiness.connect(graph_url=sim.graph_url, token=sim.token, concurrency=8)
        snapshot = collect(conn) if collect is not None else readiness.collect(conn, progress=progress)
    audit = readiness.evaluate(snapshot)
    path = Path(report) if report is not None else data_dir() / "demo-report.html"
    write_private(path, readiness.render(audit, "html", lang))  # names of people: 0600
    params = demo_params(audit)
    plan = readiness.plan("emergency-home-office", snapshot, params=params)
    return Demo(audit, plan, path, params, snapshot)


def demo_params(audit: Any) -> dict[str, str]:
    """The parameters an admin of the demo tenant would give: a lead with MFA owns the team and sends the news."""
    leads = [p for p in audit.people if p["department"] in LEAD_DEPARTMENTS]
    lead = next((p for p in leads if p["mfa_registered"]), None) or (leads or audit.people)[0]
    return {"usage_location": "DE", "team_owners": lead["userPrincipalName"], "sender": lead["userPrincipalName"]}
