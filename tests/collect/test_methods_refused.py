"""A 403 for some people's authentication methods (not all) in the MFA fallback (no Entra ID P1, so the registration
report is refused and each enabled member's methods are read in ``$batch``): the section is not a fallback with the
refused people left out (their MFA would be unknown and the check would judge the members it could read as all of
them, and could pass); it is forbidden, saying how many of how many members Graph refused and which permission (a
note the report lists too); the audit is partial (a permission, exit 0), never success. Every member refused is
still "the permission is missing". Over real HTTP against the simulator, its methods route refusing some users.

Docs: https://learn.microsoft.com/graph/api/authentication-list-methods (UserAuthenticationMethod.Read.All; in
delegated use an Authentication Administrator reads only non-administrators' methods, a Privileged Authentication
Administrator everyone's: other users are refused), https://learn.microsoft.com/graph/json-batching (each request in
a batch is answered on its own), https://learn.microsoft.com/graph/errors (403).
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import readiness
from readiness.cli import cli
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.routes import ROUTES
from readiness.simulator.server import SimulatorServer
from tests.helpers import assert_refused_in_part, audit_json, refuse


@pytest.fixture
def sim() -> Simulator:
    return Simulator(generate_tenant("unprepared-sme", seed=7))  # no Entra ID P1: the registration report is refused


def _refuse(monkeypatch, sim: Simulator, how_many: int | None) -> int:  # noqa: ANN001
    """The methods route answers 403 for the first ``how_many`` enabled members (None: all of them); returns how many
    enabled members there are."""
    members = [u["id"] for u in sim.tenant.users if u.get("accountEnabled") and u.get("userType") == "Member"]
    assert len(members) > (how_many or 0), members
    refused = set(members[:how_many] if how_many is not None else members)
    route = next(r for r in ROUTES if r.pattern.pattern.endswith("/authentication/methods") and r.method == "GET")
    refuse(monkeypatch, route, lambda req, m: m.group("uid") in refused)
    return len(members)


def _mfa(sim: Simulator, monkeypatch) -> object:  # noqa: ANN001
    with SimulatorServer(sim) as server:
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", sim.issue_token())
        return readiness.collect(readiness.connect(graph_url=server.base_url)).sections["mfa"]


def test_without_refusals_the_fallback_reads_every_member(sim, monkeypatch) -> None:  # noqa: ANN001
    total = _refuse(monkeypatch, sim, 0)
    sec = _mfa(sim, monkeypatch)
    assert sec.status == "fallback" and len(sec.data) == total, (sec.status, sec.reason)


def test_two_members_refused_make_the_section_forbidden_with_counts(sim, monkeypatch) -> None:  # noqa: ANN001
    total = _refuse(monkeypatch, sim, 2)
    sec = _mfa(sim, monkeypatch)
    assert_refused_in_part(sec, "UserAuthenticationMethod.Read.All", f"2 of {total} members", f"2 von {total} Mitgliedern")


def test_every_member_refused_is_still_the_missing_permission(sim, monkeypatch) -> None:  # noqa: ANN001
    _refuse(monkeypatch, sim, None)
    sec = _mfa(sim, monkeypatch)
    assert sec.status == "forbidden" and sec.permission == "UserAuthenticationMethod.Read.All", sec.status
    assert sec.reason_key == "report.reasons.fallback_no_permission", (sec.reason_key, sec.reason.text("en"))


def test_the_audit_is_partial_and_the_mfa_check_is_not_judged(sim, monkeypatch) -> None:  # noqa: ANN001
    total = _refuse(monkeypatch, sim, 1)
    doc = audit_json(sim, monkeypatch)
    assert doc["status"] == "partial", doc["status"]
    mfa = next(m for m in doc["data"]["not_evaluated"] if m["section"] == "mfa")
    assert mfa["status"] == "forbidden" and f"1 of {total} members" in mfa["notes"][0], mfa
    check = next(c for c in doc["data"]["checks"] if c["id"] == "identity.mfa_registration")
    assert check["status"] not in ("pass", "fail"), check["status"]  # neither judged on the members it could read
    assert all(p["mfa_registered"] is None for p in doc["data"]["people"]), "an MFA answer from a part of the people"


@pytest.mark.parametrize("lang, words", [("en", "2 of {total} members"), ("de", "2 von {total} Mitgliedern")])
def test_every_output_says_how_many_were_refused_in_its_language(sim, monkeypatch, tmp_path, lang, words) -> None:  # noqa: ANN001
    """Not "the app or account lacks the permission ..." (it has it: Graph answered the others): the count, in the
    table, the HTML report and the JSON reason, in the reader's language (the attack of session 12 found only the
    English JSON note said it)."""
    total = _refuse(monkeypatch, sim, 2)
    words = words.format(total=total)
    monkeypatch.setenv("READINESS_NOW", "2026-12-01T00:00:00Z")
    snap = tmp_path / "s.json.gz"
    with SimulatorServer(sim) as server:
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", sim.issue_token())
        table = CliRunner().invoke(cli, ["audit", "--graph-url", server.base_url, "--lang", lang, "--snapshot-out", str(snap)])
    assert table.exit_code == 0, table.output
    assert words in " ".join(table.stdout.split()), table.stdout[-3000:]
    html = CliRunner().invoke(cli, ["report", str(snap), "-o", "html", "--lang", lang])
    assert html.exit_code == 0 and words in " ".join(html.stdout.split()), html.output[-2000:]
    doc = json.loads(CliRunner().invoke(cli, ["report", str(snap), "-o", "json", "--lang", lang]).stdout)
    mfa = next(m for m in doc["data"]["not_evaluated"] if m["section"] == "mfa")
    assert words in mfa["reason"], mfa
