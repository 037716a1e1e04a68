"""`fleet demo` end to end, and `simulator serve --fleet` writing the files that onboard it."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from .conftest import invoke

pytestmark = pytest.mark.slow


def test_fleet_demo_shows_the_msp_run_and_its_drift(tmp_path: Path) -> None:
    r = invoke("fleet", "demo", "--tenants", "7", "--out-dir", str(tmp_path / "out"), env={"READINESS_PROGRESS": "always"})
    assert r.exit_code == 0, r.stderr
    assert "tenant import: 7 profiles added" in r.stderr
    assert "praxis-fischer: failed:" in r.stderr and "hotel-becker: failed:" in r.stderr
    assert "since the first audit: fixed: No 'Anyone' links" in r.stdout and "Fleet totals:" in r.stdout
    html = (tmp_path / "out" / "fleet.html").read_text("utf-8")
    assert 'href="mueller-soehne/report.html"' in html
    assert not (Path(os.environ["READINESS_HOME"]) / "config" / "tenants.json").exists()  # the demo's profiles stay private


def test_simulator_serve_fleet_writes_csv_and_private_tokens(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "readiness", "simulator", "serve", "--fleet", "3", "--port", "0",
                             "--fleet-dir", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("Graph simulator for 4 tenants on http://127.0.0.1:")
        base = line.split(" on ", 1)[1].strip()
        env_file = tmp_path / "fleet-tokens.env"
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
        tokens = dict(l.removeprefix("export ").split("=", 1) for l in env_file.read_text().splitlines())
        csv_lines = (tmp_path / "fleet.csv").read_text().splitlines()
        assert len(csv_lines) == 4 and all(f",{base}," in l for l in csv_lines[1:])
        name, tid = csv_lines[1].split(",")[:2]
        token = tokens["READINESS_ACCESS_TOKEN_" + name.upper().replace("-", "_")]
        org = httpx.get(f"{base}/organization", headers={"Authorization": f"Bearer {token}"}).json()
        assert org["value"][0]["id"] == tid
        gdap = httpx.get(f"{base}/tenantRelationships/delegatedAdminRelationships",
                         headers={"Authorization": f"Bearer {tokens['READINESS_ACCESS_TOKEN_PARTNER']}"}).json()
        assert len(gdap["value"]) == 3
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_demo_fleet_flag_runs_the_fleet_demo() -> None:
    r = invoke("demo", "--fleet", "--lang", "de", env={"READINESS_PROGRESS": "always"})  # its story, as on a terminal
    assert r.exit_code == 0, r.stderr
    assert "tenant import: 12 Profile" in r.stderr and "Summe aller Mandanten" in r.stdout  # the story in German too
    assert "(rot)" in r.stderr and "(red)" not in r.stderr  # a tenant's light in the line's language
    # the whole story in the report's language: the failures, the drift, the pointer to one's own fleet
    assert "seit der ersten Prüfung: behoben: Keine 'Jeder'-Links" in r.stdout and "Ihre eigene Flotte" in r.stdout
    assert "Wartegrenze von 2 s" in r.stdout
    for english in ("Drift in kanzlei-weber since", "Your own fleet", "kept throttling", "consent"):
        assert english not in r.stdout, english
