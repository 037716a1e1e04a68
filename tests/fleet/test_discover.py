"""`tenant discover --partner`: profiles offered from the partner tenant's GDAP relationships, over HTTP."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from readiness.fleet.discover import READERS, not_evaluable_checks
from readiness.graph.auth import token_env_name
from readiness.fleet.runner import profile_store
from readiness.simulator.fleet import generate_fleet
from readiness.simulator.server import SimulatorServer

from .conftest import envelope, invoke


@pytest.fixture(scope="module")
def twelve():  # noqa: ANN201
    sim = generate_fleet(12, max_size=20)
    with SimulatorServer(sim) as srv:
        yield sim, srv


def test_discover_lists_customers_roles_and_what_stays_not_evaluable(twelve, monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:  # noqa: ANN001
    sim, srv = twelve
    monkeypatch.setenv(token_env_name("msp"), sim["partner"].token())
    assert invoke("tenant", "add", "msp", "--tenant-id", sim["partner"].tenant_id, "--auth", "token",
                  "--graph-url", srv.base_url).exit_code == 0
    r = invoke("tenant", "discover", "--partner", "msp", "-o", "json")
    assert r.exit_code == 0, r.stderr
    offered = {o["tenant_id"]: o for o in envelope(r)["data"]["tenants"]}
    clients = {m.tenant_id: m for m in sim.members.values() if m.kind != "partner"}
    assert set(offered) == set(clients)
    narrow = offered[sim["spedition-wolf"].tenant_id]  # User and License Administrator only
    assert narrow["roles"] == ["License Administrator", "User Administrator"]
    assert "devices.compliance_policies" in narrow["not_evaluable"] and "identity.mfa_enforced" in narrow["not_evaluable"]
    assert "licences.seats_for_remote_work" not in narrow["not_evaluable"]
    assert offered[sim["mueller-soehne"].tenant_id]["not_evaluable"] == []  # Global Reader reads everything

    text = invoke("tenant", "discover", "--partner", "msp", "-o", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(clients) and all(row["graph_url"] == srv.base_url and row["tags"] == "gdap" for row in rows)
    path = tmp_path / "gdap.csv"
    path.write_text(text, "utf-8")
    assert invoke("tenant", "import", str(path)).exit_code == 0
    names = {p.name for p in profile_store().list()[0]}
    assert {row["name"] for row in rows} <= names


def test_every_section_a_check_needs_has_readers() -> None:
    from readiness.fleet.discover import check_needs

    needs = {n for _cid, ns in check_needs() for n in ns}
    assert needs <= set(READERS)
    assert not_evaluable_checks({"Global Reader"}, check_needs()) == []
