"""`tenant import`, `tenant add --tag`, per-profile token variables, shards."""
from __future__ import annotations

from pathlib import Path

import pytest

from readiness.errors import UsageError
from readiness.fleet.audit import in_shard, parse_shard, select
from readiness.graph.auth import token_env_name, token_from_env
from readiness.fleet.runner import profile_store

from .conftest import envelope, invoke

GUID = "11111111-2222-3333-4444-555555555555"


def test_import_validates_every_row_and_says_why(tmp_path: Path) -> None:
    csv_path = tmp_path / "c.csv"
    csv_path.write_text(
        "\ufeffname,tenant_id,auth,client_id,cert_path,usage_location,tags\n"
        f"kunde-a,kunde-a.onmicrosoft.com,certificate,{GUID},/certs/r.pem,de,msp;gold\n"
        "kunde-b,kunde-b.onmicrosoft.com,,,,,\n"
        "kunde-c,not a tenant,,,,,\n"
        "kunde-a,other.onmicrosoft.com,,,,,\n"
        "kunde-d,kunde-d.onmicrosoft.com,client-secret,11111111-2222-3333-4444-555555555555,,,\n"
        "kunde-e,kunde-e.onmicrosoft.com,certificate,,,,\n"
        "bad name!,x.onmicrosoft.com,,,,,\n"
        "kunde-f,kunde-f.onmicrosoft.com,,,,,bad tag\n", "utf-8")
    r = invoke("tenant", "import", str(csv_path), "-o", "json")
    assert r.exit_code == 1  # invalid rows are an error for scripts; the valid ones were added
    doc = envelope(r)["data"]
    rows = {(row["line"], row["name"]): row for row in doc["rows"]}
    assert doc["added"] == 2 and doc["skipped"] == 6
    assert rows[(4, "kunde-c")]["reason"].startswith("'not a tenant' is neither a tenant id nor a domain")
    assert "earlier in the file" in rows[(5, "kunde-a")]["reason"]
    assert "tenant add" in rows[(6, "kunde-d")]["reason"]  # secrets are never read from a file
    assert "--client-id" in rows[(7, "kunde-e")]["reason"]
    assert "not allowed" in rows[(8, "bad name!")]["reason"] and "Tag 'bad tag'" in rows[(9, "kunde-f")]["reason"]
    a = profile_store().get("kunde-a")
    assert a.tags == ["msp", "gold"] and a.usage_location == "DE" and a.auth == "certificate"
    assert profile_store().get("kunde-b").auth == "device-code" and profile_store().get("kunde-b").tags == []
    assert doc["default"] == "kunde-a" and "kunde-a is now the default profile" in r.stderr  # announced
    again = invoke("tenant", "import", str(csv_path), "--dry-run")
    assert "a profile with this name exists" in again.stdout
    de = invoke("tenant", "import", str(csv_path), "--dry-run", env={"READINESS_LANG": "de"})  # lang17 T2
    assert de.stdout.split()[:4] == ["Zeile", "Name", "Ergebnis", "Grund"] and "übersprungen" in de.stdout, de.stdout
    assert "ein Profil mit diesem Namen gibt es schon" in de.stdout and "steht schon weiter oben" in de.stdout
    assert "a profile with this name exists" not in de.stdout  # the reasons too (verify17 T2)
    listed = invoke("tenant", "list", env={"READINESS_LANG": "de"})
    assert "Mandant" in listed.stdout.splitlines()[0] and "usage loc." not in listed.stdout, listed.stdout


def test_import_refuses_unknown_columns(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text("name,tenant_id,password\nx,x.onmicrosoft.com,hunter2\n", "utf-8")
    r = invoke("tenant", "import", str(p))
    assert r.exit_code == 2 and "Unknown column(s) in the import file: password" in r.stderr
    assert "hunter2" not in r.stderr


def test_tenant_add_tags_select_the_fleet() -> None:
    for name, tags in (("a1", ["msp", "gold"]), ("a2", ["msp"]), ("a3", [])):
        args = ["tenant", "add", name, "--tenant-id", f"{name}.onmicrosoft.com", "--auth", "token"]
        for t in tags:
            args += ["--tag", t]
        assert invoke(*args).exit_code == 0
    assert select(None, ["gold"]) == ["a1"]
    assert select(None, ["msp"]) == ["a1", "a2"]
    assert select(None, None) == ["a1", "a2", "a3"]
    with pytest.raises(UsageError):
        select(["nope"], None)


def test_token_comes_from_the_profile_variable_first(monkeypatch: pytest.MonkeyPatch) -> None:
    assert token_env_name("kunde-a.b_c") == "READINESS_ACCESS_TOKEN_KUNDE_A_B_C"
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", "global-token")
    assert token_from_env("kunde-a")._token == "global-token"
    monkeypatch.setenv("READINESS_ACCESS_TOKEN_KUNDE_A", "own-token")
    assert token_from_env("kunde-a")._token == "own-token"
    monkeypatch.delenv("READINESS_ACCESS_TOKEN")
    monkeypatch.delenv("READINESS_ACCESS_TOKEN_KUNDE_A")
    with pytest.raises(UsageError) as err:
        token_from_env("kunde-a")
    assert "READINESS_ACCESS_TOKEN_KUNDE_A" in str(err.value)


def test_shards_split_the_fleet_without_overlap() -> None:
    names = [f"client-{i:03d}" for i in range(200)]
    shards = [[n for n in names if in_shard(n, i, 4)] for i in range(1, 5)]
    assert sorted(sum(shards, [])) == names  # every tenant in exactly one shard
    assert all(20 < len(s) < 80 for s in shards)
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/4", "5/4", "x", "1/0"):
        with pytest.raises(UsageError):
            parse_shard(bad)


def test_an_unwritable_out_dir_is_a_clear_error(tmp_path: Path) -> None:
    assert invoke("tenant", "add", "a1", "--tenant-id", "a1.onmicrosoft.com", "--auth", "token").exit_code == 0
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = invoke("fleet", "audit", "--out-dir", str(blocker / "out"))
    assert r.exit_code == 1 and r.stderr.strip().splitlines()[-1].startswith("Error: Cannot create the output folder")
    assert "Traceback" not in r.stderr
