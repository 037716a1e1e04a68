"""`readiness demo` and `readiness simulator serve`: the first things a newcomer runs."""
from __future__ import annotations

import json
import re
import signal
import urllib.request

from click.testing import CliRunner

from readiness.cli import cli
from readiness.licensing import catalog
from readiness.simulator import generate_tenant
from tests.helpers import serve_simulator_process


def test_demo_prints_the_licence_table_of_the_demo_tenant() -> None:
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    tenant = generate_tenant("unprepared-sme", seed=7)
    for sku in tenant.skus:
        name = catalog().sku(sku["skuId"]).friendly_name
        line = next(l for l in result.output.splitlines() if l.startswith(name))
        numbers = [int(x.replace(",", "")) for x in re.findall(r"\s(-?[\d,]+)(?=\s|$)", line)]  # 10,000: a count as said
        assert numbers[-3:] == [sku["prepaidUnits"]["enabled"], sku["consumedUnits"],
                                sku["prepaidUnits"]["enabled"] - sku["consumedUnits"]], line


def test_demo_in_german_says_its_progress_in_german_too(monkeypatch) -> None:  # noqa: ANN001
    """Found by an independent check: `demo --lang de` announced the simulator in German, then printed
    "Collecting ..." and "Collected in ..." in English."""
    monkeypatch.delenv("READINESS_LANG", raising=False)
    monkeypatch.setattr("readiness.cli.context.stderr_is_terminal", lambda: True)  # progress shows on a terminal only
    result = CliRunner().invoke(cli, ["demo", "--lang", "de"])
    assert result.exit_code == 0, result.output
    assert "Collect" not in result.output and "Lese Daten" in result.output and "Anfragen" in result.output


def test_simulator_serve_answers_a_paged_request_from_a_plain_client() -> None:
    proc, base, token = serve_simulator_process()
    url = base + "/v1.0"
    try:
        req = urllib.request.Request(url + "/users?$top=5&$select=id,displayName", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            page = json.loads(resp.read())
        assert len(page["value"]) == 5 and "@odata.nextLink" in page
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
