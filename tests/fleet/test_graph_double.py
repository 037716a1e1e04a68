"""Issue 13 as it will be checked, against Graph doubles written apart from readiness' simulator: onboarded with
`tenant import`, audited with `fleet audit`, every number compared with an answer key worked out by hand, then
re-audited after a change to see exactly that change as drift. Also: a refused token is an error, never an
empty audit that looks like a success."""
from __future__ import annotations

from pathlib import Path

import pytest

import readiness
from readiness.graph.auth import token_env_name

from .conftest import closed_port, envelope, invoke
from .graph_double import GraphDouble, five_people

pytestmark = pytest.mark.slow


def test_fleet_of_independent_doubles_matches_the_answer_key_and_shows_the_drift(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alpha = five_people("11111111-0000-0000-0000-00000000000a", "Alpha")   # answer key: 5 people, 2 ready
    beta = five_people("11111111-0000-0000-0000-00000000000b", "Beta")
    beta.people = beta.people[:3]                                         # answer key: 3 people, 2 ready (Cleo lacks MFA)
    alpha.token, beta.token = "token-alpha", "token-beta"
    with GraphDouble(alpha) as a, GraphDouble(beta) as b:
        csv_path = tmp_path / "clients.csv"
        csv_path.write_text(
            "name,tenant_id,auth,client_id,cert_path,cloud,graph_url,usage_location,tags\n"
            f"alpha,{alpha.tenant_id},token,,,,{a.graph_url},DE,msp\n"
            f"beta,{beta.tenant_id},token,,,,{b.graph_url},AT,msp\n"
            f"refused,{alpha.tenant_id},token,,,,{a.graph_url},DE,msp\n"
            f"gone,gone.example.com,token,,,,http://127.0.0.1:{closed_port()}/v1.0,DE,msp\n", "utf-8")
        for name, token in (("alpha", "token-alpha"), ("beta", "token-beta"), ("refused", "expired-token"), ("gone", "x")):
            monkeypatch.setenv(token_env_name(name), token)
        assert invoke("tenant", "import", str(csv_path)).exit_code == 0

        out = tmp_path / "audits"
        first = invoke("fleet", "audit", "--tag", "msp", "--out-dir", str(out), "--max-wait", "1", "-o", "json")
        assert first.exit_code == 7 and "Traceback" not in first.stderr
        by = {t["name"]: t for t in envelope(first)["data"]["tenants"]}
        key = {"alpha": (5, 2, 3, 0), "beta": (3, 2, 1, 0)}
        for name, (people, ready, not_ready, not_evaluable) in key.items():
            t = by[name]
            assert (t["people"], t["ready"], t["not_ready"], t["not_evaluable"]) == (people, ready, not_ready, not_evaluable)
            single = envelope(invoke("audit", "--tenant", name, "-o", "json"))["data"]
            assert (t["score"], t["seats_to_buy"]) == (single["score"]["overall"], single["summary"]["seats_to_buy"])
            assert single["summary"]["ready"] == ready
        assert by["refused"]["status"] == "failed" and "refused the token" in by["refused"]["error"]
        assert by["gone"]["status"] == "failed" and by["gone"]["error"]

        alpha.people[2].mfa = True          # Cleo registers MFA: Alpha has 3 ready
        alpha.security_defaults = True      # and MFA is enforced
        beta.people[1].device = False       # Ben loses his device: Beta has 1 ready
        severity = readiness.get_check("devices.members_without_device").severity.value
        again = invoke("fleet", "audit", "--tenants", "alpha,beta", "--out-dir", str(out), "-o", "json",
                       "--fail-on-new", severity)
        assert again.exit_code == 3, again.stderr  # something new at that severity, and no tenant failed
        by = {t["name"]: t for t in envelope(again)["data"]["tenants"]}
        assert (by["alpha"]["ready"], by["alpha"]["newly_ready"], by["alpha"]["newly_not_ready"]) == (3, 1, 0)
        # security defaults also block legacy authentication (https://learn.microsoft.com/entra/fundamentals/security-defaults)
        assert sorted(by["alpha"]["fixed"]) == ["identity.legacy_auth_blocked", "identity.mfa_enforced", "identity.mfa_registration"]
        assert by["alpha"]["new_failing"] == []
        assert (by["beta"]["ready"], by["beta"]["newly_ready"], by["beta"]["newly_not_ready"]) == (1, 0, 1)
        assert by["beta"]["new_failing"] == ["devices.members_without_device"] and by["beta"]["fixed"] == []


def test_a_refused_token_is_an_error_not_an_empty_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tenant = five_people("11111111-0000-0000-0000-00000000000c", "Gamma")
    with GraphDouble(tenant) as d:
        audit = readiness.evaluate(readiness.collect(readiness.connect(graph_url=d.graph_url, token=tenant.token)))
        assert (audit.summary["people"], audit.summary["ready"]) == (5, 2)
        assert sorted(p["userPrincipalName"].split("@")[0] for p in audit.people if p["ready"]) == ["ann", "ben"]

        with pytest.raises(readiness.AuthError) as info:  # expired, revoked or for another tenant: Graph answers 401
            readiness.collect(readiness.connect(graph_url=d.graph_url, token="expired"))
        assert "refused" in info.value.what and info.value.fix and int(info.value.exit_code) == 1

        monkeypatch.setenv("READINESS_ACCESS_TOKEN", "expired")
        r = invoke("audit", "--graph-url", d.graph_url)
        assert r.exit_code == 1 and "Traceback" not in r.stderr
        assert r.stderr.strip().splitlines()[-1].startswith("Error: Graph refused")
        assert "can work from home" not in r.stdout  # no "0 of 0 people" report

        tenant.consent_missing = True  # a token Graph accepts, for an app nobody consented to in this tenant
        with pytest.raises(readiness.AuthError, match="admin consent"):
            readiness.collect(readiness.connect(graph_url=d.graph_url, token=tenant.token))
