"""What a scheduler, a CI artifact or a hand-edited file can feed the fleet commands: empty variables,
damaged or hostile entry files, certificate rows pointing at something that is no certificate."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from readiness.fleet import store
from readiness.fleet.runner import data_dir, profile_store

from ..config.test_certificates import CLIENT_ID, cert_pem, key_pem, pair
from .conftest import envelope, invoke

STAMPS = ("20260101T090000.000000Z", "20260201T090000.000000Z")


def _entry(name: str, stamp: str, **kw) -> dict:  # noqa: ANN003
    base = {"schema": store.ENTRY_SCHEMA, "name": name, "tenant_id": f"tid-{name}", "tenant_name": name, "status": "success",
            "error": None, "stamp": stamp, "audited_at": store.stamp_iso(stamp), "score": 61, "light": "yellow",
            "people": 12, "ready": 5, "not_ready": 7, "not_evaluable": 0, "seats_to_buy": 2, "new_failing": [], "fixed": [],
            "regressed": [], "checks": {}, "top_actions": [{"id": "licences.x", "severity": "high", "title": {"en": "T", "de": "T"}}],
            "files": {}}
    base.update(kw)
    return base


def _write(folder: Path, entry: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"entry-{entry['stamp']}.json"
    path.write_text(json.dumps(entry), "utf-8")
    return path


@pytest.mark.parametrize("damage", [
    {"people": "abc"}, {"ready": None}, {"ready": 99}, {"top_actions": 5}, {"top_actions": [{"id": 1}]},
    {"status": ["x"]}, {"score": "<b>99</b>"}, {"new_failing": 7}, {"checks": "x"},
    {"files": {"report": "../../../../etc/passwd"}}, {"tenant_id": 7}, {"error_data": "x"}, {"error_data": [1]},
])
def test_a_damaged_newest_entry_is_skipped_with_a_warning_in_every_format(tmp_path: Path, damage: dict) -> None:
    good = _write(tmp_path / "out" / "kunde-a", _entry("kunde-a", STAMPS[0]))
    bad = _write(tmp_path / "out" / "kunde-a", _entry("kunde-a", STAMPS[1], **damage))
    assert store.read_entry(good) is not None and store.read_entry(bad) is None
    for fmt in ("table", "json", "csv", "md", "html"):
        r = invoke("fleet", "report", str(tmp_path / "out"), "-o", fmt)
        assert r.exit_code == 0, r.stderr
        assert "Traceback" not in r.stderr and "damaged audit file" in r.stderr and bad.name in r.stderr
        assert "passwd" not in r.stdout
    rows = envelope(invoke("fleet", "report", str(tmp_path / "out"), "-o", "json"))["data"]["tenants"]
    assert [(t["name"], t["people"], t["ready"]) for t in rows] == [("kunde-a", 12, 5)]  # the older, intact audit


def test_an_entry_nested_past_what_json_reads_is_skipped_not_an_internal_error(tmp_path: Path) -> None:
    """verify17 #6: 2,000 levels of nesting in one entry file (json's RecursionError) stopped fleet report and history
    with an internal error, and a scheduled fleet audit lost every tenant's result. It is a damaged entry like any."""
    _write(tmp_path / "out" / "kunde-a", _entry("kunde-a", STAMPS[0]))
    deep = json.dumps(_entry("kunde-a", STAMPS[1]))[:-1] + ', "error_data": ' + '{"a": ' * 2000 + "1" + "}" * 2000 + "}"
    bad = tmp_path / "out" / "kunde-a" / f"entry-{STAMPS[1]}.json"
    bad.write_text(deep, "utf-8")
    assert store.read_entry(bad) is None
    r = invoke("fleet", "report", str(tmp_path / "out"), "-o", "json")
    assert r.exit_code == 0 and "damaged audit file" in r.stderr, r.output
    assert [t["people"] for t in envelope(r)["data"]["tenants"]] == [12]


def test_history_skips_a_damaged_entry_in_the_data_folder() -> None:
    folder = data_dir() / "history" / "kunde-a"
    _write(folder, _entry("kunde-a", STAMPS[0]))
    _write(folder, _entry("kunde-a", STAMPS[1], ready="x"))
    r = invoke("history", "--tenant", "kunde-a", "-o", "json")
    assert r.exit_code == 0 and "damaged audit file" in r.stderr
    assert "Traceback" not in r.stderr


def test_an_empty_tenant_list_or_shard_is_a_usage_error_not_the_whole_fleet(tmp_path: Path) -> None:
    for name in ("kunde-a", "kunde-b"):
        assert invoke("tenant", "add", name, "--tenant-id", f"{name}.onmicrosoft.com", "--auth", "token").exit_code == 0
    for args in (["--tenants", ""], ["--tenants", " , "], ["--shard", ""]):
        r = invoke("fleet", "audit", "--out-dir", str(tmp_path / "audits"), *args)
        assert r.exit_code == 2 and r.stderr.strip().splitlines()[-1].startswith("Error: ")
        assert "started" not in r.stderr  # nothing was audited


def test_import_checks_a_certificate_file_that_exists(tmp_path: Path) -> None:
    key, cert = pair()
    good = tmp_path / "readiness.pem"
    good.write_bytes(key_pem(key) + cert_pem(cert))
    not_a_cert = tmp_path / "notes.txt"
    not_a_cert.write_text("root:x:0:0\n", "utf-8")
    other_key, _ = pair()
    mismatched = tmp_path / "mixed.pem"
    mismatched.write_bytes(key_pem(other_key) + cert_pem(cert))
    csv_path = tmp_path / "clients.csv"
    csv_path.write_text("name,tenant_id,auth,client_id,cert_path\n"
                        f"kunde-a,kunde-a.onmicrosoft.com,certificate,{CLIENT_ID},{good}\n"
                        f"kunde-b,kunde-b.onmicrosoft.com,certificate,{CLIENT_ID},{good}\n"
                        f"kunde-c,kunde-c.onmicrosoft.com,certificate,{CLIENT_ID},{not_a_cert}\n"
                        f"kunde-d,kunde-d.onmicrosoft.com,certificate,{CLIENT_ID},{mismatched}\n"
                        f"kunde-e,kunde-e.onmicrosoft.com,certificate,{CLIENT_ID},{tmp_path / 'later.pem'}\n", "utf-8")
    r = invoke("tenant", "import", str(csv_path), "-o", "json")
    rows = {row["name"]: row for row in envelope(r)["data"]["rows"]}
    assert r.exit_code == 1  # two rows were invalid
    assert rows["kunde-a"]["status"] == rows["kunde-b"]["status"] == "added"
    assert rows["kunde-c"]["status"] == "skipped" and "neither a PEM key and certificate" in rows["kunde-c"]["reason"]
    assert rows["kunde-d"]["status"] == "skipped" and "does not belong" in rows["kunde-d"]["reason"]
    assert rows["kunde-e"]["status"] == "added" and "does not exist yet" in rows["kunde-e"]["reason"]  # a vault fills it later
    assert {p.name for p in profile_store().list()[0]} == {"kunde-a", "kunde-b", "kunde-e"}


def test_a_semicolon_separated_file_says_to_use_commas(tmp_path: Path) -> None:
    path = tmp_path / "clients.csv"
    path.write_text("name;tenant_id;auth;tags\nkunde-a;kunde-a.onmicrosoft.com;token;msp\n", "utf-8")  # German Excel
    r = invoke("tenant", "import", str(path))
    assert r.exit_code == 2 and "semicolons" in r.stderr and "Comma delimited" in r.stderr


def test_two_names_that_would_share_a_token_variable_are_not_both_imported(tmp_path: Path) -> None:
    assert invoke("tenant", "add", "kunde-a", "--tenant-id", "kunde-a.onmicrosoft.com", "--auth", "token").exit_code == 0
    path = tmp_path / "clients.csv"
    path.write_text("name,tenant_id,auth\nkunde_a,other-a.onmicrosoft.com,token\nKunde.B,b.onmicrosoft.com,token\n"
                    "kunde-b,other-b.onmicrosoft.com,token\nmy-token-x,x.onmicrosoft.com,token\n", "utf-8")
    rows = {r["name"]: r for r in envelope(invoke("tenant", "import", str(path), "-o", "json"))["data"]["rows"]}
    assert rows["kunde_a"]["status"] == "skipped" and "READINESS_ACCESS_TOKEN_KUNDE_A" in rows["kunde_a"]["reason"]
    assert "READINESS_CLIENT_SECRET_KUNDE_A" in rows["kunde_a"]["reason"] and "kunde-a" in rows["kunde_a"]["reason"]
    assert rows["Kunde.B"]["status"] == "added" and rows["my-token-x"]["status"] == "added"
    assert rows["kunde-b"]["status"] == "skipped" and "Kunde.B" in rows["kunde-b"]["reason"]


def test_an_oversized_entry_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = _entry("kunde-a", STAMPS[0])
    path = _write(tmp_path / "kunde-a", entry)
    assert store.read_entry(path) is not None
    monkeypatch.setattr(store, "MAX_ENTRY_BYTES", path.stat().st_size - 1)
    assert store.read_entry(path) is None


def test_a_tenant_folder_that_is_a_symlink_is_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from .graph_double import GraphDouble, five_people

    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o755)
    out = tmp_path / "audits"
    out.mkdir()
    (out / "kunde-a").symlink_to(target)  # e.g. from a downloaded artifact
    tenant = five_people("11111111-0000-0000-0000-00000000000a", "Alpha")
    with GraphDouble(tenant) as d:
        assert invoke("tenant", "add", "kunde-a", "--tenant-id", tenant.tenant_id, "--auth", "token",
                      "--graph-url", d.graph_url).exit_code == 0
        monkeypatch.setenv("READINESS_ACCESS_TOKEN_KUNDE_A", tenant.token)
        r = invoke("fleet", "audit", "--out-dir", str(out), "-o", "json")
    assert r.exit_code == 7 and "symbolic link" in envelope(r)["data"]["tenants"][0]["error"]
    assert list(target.iterdir()) == [] and (target.stat().st_mode & 0o777) == 0o755


def test_previous_compares_with_an_older_audit_and_a_folder_without_audits_is_an_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out / "kunde-a", _entry("kunde-a", STAMPS[0], checks={"identity.mfa_registration": {"status": "fail", "severity": "high"}}))
    _write(out / "kunde-a", _entry("kunde-a", STAMPS[1], checks={"identity.mfa_registration": {"status": "pass", "severity": "high"}}))
    rows = envelope(invoke("fleet", "report", str(out), "--previous", str(out), "-o", "json"))["data"]["tenants"]
    assert rows[0]["fixed"] == ["identity.mfa_registration"]  # not the newest audit compared with itself
    (tmp_path / "typo").mkdir()
    r = invoke("fleet", "report", str(out), "--previous", str(tmp_path / "typo"))
    assert r.exit_code == 2 and "holds no fleet audit" in r.stderr
