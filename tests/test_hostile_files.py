"""Hostile files stay harmless (issue 8): gzip bombs and malformed snapshots, hostile playbooks and guest lists,
and tenant-controlled names full of terminal escapes, bidi overrides and spreadsheet formulas.

Every case ends in one `Error: ...` line with a documented exit code: never an internal error, never a
traceback, never the content of a file the playbook should not have pointed at.
"""
from __future__ import annotations

import copy
import csv
import gzip
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner

from readiness.cli import cli
from readiness.collect import snapshot_file
from readiness.errors import SnapshotError
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer


@pytest.fixture(scope="module")
def server():  # noqa: ANN201 - one simulator for the module: these tests only read, and start-up costs time
    with SimulatorServer(Simulator(generate_tenant("unprepared-sme", seed=7))) as srv:
        yield srv


def audit(server, monkeypatch: pytest.MonkeyPatch, *args: str):  # noqa: ANN001, ANN201
    monkeypatch.setenv("READINESS_ACCESS_TOKEN", server.sim.issue_token())
    return CliRunner().invoke(cli, ["audit", "--graph-url", server.base_url, *args])


def assert_clear_error(result: Any, code: int, *words: str) -> None:
    assert result.exit_code == code, result.output
    assert result.output.count("Error: ") == 1, result.output
    assert "\x1b" not in result.output and "\u009b" not in result.output  # nothing from the file drives the terminal
    assert "internal error" not in result.output and "Traceback" not in result.output
    for w in words:
        assert w in result.output, result.output


@pytest.fixture(scope="module")
def _module_doc(server, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("doc")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("READINESS_HOME", str(folder / "home"))
        assert audit(server, mp, "--snapshot-out", str(folder / "good.json"), "--out", os.devnull).exit_code == 0
    return (folder / "good.json").read_text("utf-8")


@pytest.fixture
def snapshot_doc(_module_doc: str) -> dict:
    """A genuine snapshot collected over HTTP, fresh for each test to spoil."""
    return json.loads(_module_doc)


# -- snapshots: a decompression cap ---------------------------------------------------------------------
def gzip_bomb(path: Path, expands_to: int) -> int:
    """Concatenated gzip members of zeros: about 1,000:1, written in a moment, read as one stream by gzip."""
    chunk = 16 * 1024 * 1024
    member = gzip.compress(b"\0" * chunk, compresslevel=9)
    with open(path, "wb") as fh:
        for _ in range(expands_to // chunk):
            fh.write(member)
    return path.stat().st_size


def test_gzip_bomb_fails_fast_with_bounded_memory(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.json.gz"
    size = gzip_bomb(bomb, 4_600_000_000)
    assert size < 6_000_000  # a few MB that would expand to 4.6 GB
    # A fresh interpreter, so its peak memory is this read alone; the limit is lowered to keep the test light.
    probe = (
        "import resource, sys\n"
        "from readiness.cli import main\n"
        "try:\n    main(['audit', '--from-snapshot', sys.argv[1]])\n"
        "except SystemExit as e:\n    code = e.code\n"
        "print('RC', code, 'MAXRSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    env = dict(os.environ, READINESS_MAX_SNAPSHOT_BYTES=str(64 * 1024 * 1024))
    done = subprocess.run([sys.executable, "-c", probe, str(bomb)], env=env, capture_output=True, text=True, timeout=120)
    rc, rss_kb = done.stdout.split()[1], int(done.stdout.split()[3])
    assert rc == "1", done.stdout + done.stderr
    # zeros are no JSON: refused within the first 64 KB (snapshot_file._Doc), else at the byte cap
    assert "Error: " in done.stderr and "Traceback" not in done.stderr
    assert "READINESS_MAX_SNAPSHOT_BYTES" in done.stderr or "(not JSON: the control character U+0000, which JSON does not allow)" in done.stderr, done.stderr
    assert rss_kb < 600 * 1024  # unbounded, it would hold gigabytes (or be killed)


def test_default_cap_and_a_bad_cap_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(snapshot_file.MAX_BYTES_ENV, raising=False)
    assert snapshot_file.max_bytes() == 512 * 1024 * 1024
    monkeypatch.setenv(snapshot_file.MAX_BYTES_ENV, "lots")
    with pytest.raises(SnapshotError, match="READINESS_MAX_SNAPSHOT_BYTES='lots' is not a positive number"):
        snapshot_file.max_bytes()


def test_plain_json_over_the_cap_is_refused(snapshot_doc: dict, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    text = json.dumps(snapshot_doc)
    path.write_text(text)
    monkeypatch.setenv(snapshot_file.MAX_BYTES_ENV, str(len(text) - 1))
    assert_clear_error(CliRunner().invoke(cli, ["audit", "--from-snapshot", str(path)]), 1, "more than")
    monkeypatch.setenv(snapshot_file.MAX_BYTES_ENV, str(len(text)))
    assert CliRunner().invoke(cli, ["audit", "--from-snapshot", str(path), "-o", "json"]).exit_code == 0


# -- snapshots: every malformed shape is a clear error ------------------------------------------------
def _set(path: str, value: Any) -> Callable[[dict], Any]:
    def mutate(doc: dict) -> dict:
        *parents, last = path.split(".")
        node = doc
        for p in parents:
            node = node[p]
        node[last] = value
        return doc
    return mutate


HOSTILE_DOCS = {
    "schema_version string": (_set("schema_version", "1"), "schema_version"),
    "schema_version null": (_set("schema_version", None), "schema_version"),
    "schema_version list": (_set("schema_version", [1]), "schema_version"),
    "schema_version zero": (_set("schema_version", 0), "schema version 0"),
    "schema_version negative": (_set("schema_version", -1), "schema version -1"),
    "schema_version true": (_set("schema_version", True), "schema_version"),
    "schema_version float": (_set("schema_version", 1.0), "schema_version"),
    "schema_version newer": (_set("schema_version", 2), "newer"),
    "no sections": (lambda d: {k: v for k, v in d.items() if k != "sections"}, "not a readiness snapshot"),
    "sections a list": (_set("sections", []), "sections"),
    "section a string": (_set("sections.users", "everyone"), "sections.users"),
    "section status unknown": (_set("sections.users.status", "hacked"), "sections.users.status"),
    "section status missing": (lambda d: d["sections"]["users"].pop("status") and d, "sections.users.status"),
    "users data a string": (_set("sections.users.data", "alice"), "sections.users.data"),
    "users data holds numbers": (_set("sections.users.data", [1, 2]), "sections.users.data[0]"),
    "group_members data a list": (_set("sections.group_members.data", []), "sections.group_members.data"),
    "unknown section data a number": (_set("sections.extra", {"status": "complete", "data": 5}), "sections.extra.data"),
    "count a string": (_set("sections.users.count", "7"), "sections.users.count"),
    "notes a string": (_set("sections.users.notes", "x"), "sections.users.notes"),
    "tenant a string": (_set("tenant", "contoso"), "tenant"),
    "tenant name a number": (_set("tenant.name", 5), "tenant.name"),
    "collected_at missing": (lambda d: d.pop("collected_at") and d, "collected_at"),
    "collected_at junk": (_set("collected_at", "yesterday"), "collected_at"),
    "collected_at a number": (_set("collected_at", 1700000000), "collected_at"),
    "requests a list": (_set("requests", [1]), "requests"),
    "document a list": (lambda d: [d], "not a readiness snapshot"),
    "section name with escapes": (_set("sections.\x1b[2J\u009b", {"status": "bogus"}), "status"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_DOCS))
def test_hostile_snapshot_documents(case: str, snapshot_doc: dict, tmp_path: Path) -> None:
    mutate, words = HOSTILE_DOCS[case]
    doc = mutate(copy.deepcopy(snapshot_doc))
    path = tmp_path / "hostile.json.gz"
    path.write_bytes(gzip.compress(json.dumps(doc).encode()))
    assert_clear_error(CliRunner().invoke(cli, ["audit", "--from-snapshot", str(path)]), 1, words)
    assert_clear_error(CliRunner().invoke(cli, ["report", str(path), "-o", "md"]), 1, words)


HOSTILE_BYTES = {
    "not JSON": (b"hello, I am not JSON", "not JSON"),
    "empty": (b"", "not JSON"),
    "not gzip after the gzip magic": (b"\x1f\x8b" + b"garbage" * 20, "damaged gzip"),
    "truncated gzip": (gzip.compress(b'{"schema_version": 1, "sections": {}}' * 50)[:40], "damaged gzip"),
    "gzip of junk": (gzip.compress(b"\xff\xfe junk"), "not JSON"),
    "deeply nested JSON": (b"[" * 200_000 + b"]" * 200_000, "snapshot"),
    "JSON NaN soup": (b'{"schema_version": NaN, "sections": {}}', "schema_version"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_BYTES))
def test_hostile_snapshot_bytes(case: str, tmp_path: Path) -> None:
    raw, words = HOSTILE_BYTES[case]
    path = tmp_path / "hostile.json"
    path.write_bytes(raw)
    assert_clear_error(CliRunner().invoke(cli, ["audit", "--from-snapshot", str(path)]), 1, words)


def test_a_good_snapshot_still_loads_plain_and_gzip(snapshot_doc: dict, tmp_path: Path) -> None:
    plain, packed = tmp_path / "s.json", tmp_path / "s.json.gz"
    plain.write_text(json.dumps(snapshot_doc))
    packed.write_bytes(gzip.compress(json.dumps(snapshot_doc).encode()))
    outs = [CliRunner().invoke(cli, ["audit", "--from-snapshot", str(p), "-o", "json"]) for p in (plain, packed)]
    assert [o.exit_code for o in outs] == [0, 0]
    assert json.loads(outs[0].stdout)["data"]["summary"] == json.loads(outs[1].stdout)["data"]["summary"]


# -- playbooks -----------------------------------------------------------------------------------------
STEP = "name: hostile\ndescription: x\nsteps:\n  - id: s1\n    action: {action}\n"


def _playbook(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


HOSTILE_PLAYBOOKS = {
    # 10,000 nested lists overflowed the YAML composer's recursion before (RecursionError: internal error)
    "deep nesting": ("name: hostile\ndescription: " + "[" * 10_000 + "]" * 10_000 + "\nsteps: []\n", "line 2", "nested"),
    "complex key list": ("name: hostile\n? [a, b]\n: 1\nsteps: []\n", "line 2", "key"),
    "complex key mapping": (STEP.format(action="enable_service_plans") + "    params:\n      ? {a: 1}\n      : 2\n", "line 7", "key"),
    "members quoted no": (STEP.format(action="enable_service_plans") + '    select: {members: "no"}\n', "line 4", "select.members"),
    "members bare no": (STEP.format(action="enable_service_plans") + "    select: {members: no}\n", "line 4", "select.members"),
    "members bare off": (STEP.format(action="enable_service_plans") + "    select: {members: off}\n", "line 4", "select.members"),
    "bool param yes": (STEP.format(action="invite_guests") + "    params: {csv: g.csv, send_invitation_message: yes}\n",
                       "line 4", "send_invitation_message"),
    "bool param quoted false": (STEP.format(action="invite_guests") + '    params: {csv: g.csv, send_invitation_message: "false"}\n',
                                "line 4", "send_invitation_message"),
    "anchors": ("name: &a hostile\ndescription: *a\nsteps: []\n", "line 1", "anchors"),
    "escape sequences in a key": ('name: hostile\n"\\e[2J\\x9b": 1\n"\\e[2J\\x9b": 2\nsteps: []\n', "line 3", "appears twice"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_PLAYBOOKS))
def test_hostile_playbooks_name_file_and_line(case: str, tmp_path: Path) -> None:
    text, line, words = HOSTILE_PLAYBOOKS[case]
    path = _playbook(tmp_path, text)
    result = CliRunner().invoke(cli, ["playbook", "validate", str(path)])
    assert_clear_error(result, 2, str(path), line, words)


def test_real_booleans_still_work(tmp_path: Path) -> None:
    (tmp_path / "g.csv").write_text("email,displayName\na@partner.example,A\n")
    text = (STEP.format(action="invite_guests") + "    params: {csv: g.csv, send_invitation_message: true}\n"
            "    select: {members: false}\n")
    result = CliRunner().invoke(cli, ["playbook", "validate", str(_playbook(tmp_path, text))])
    assert result.exit_code == 0, result.output


# -- guest CSVs ----------------------------------------------------------------------------------------
def _invite(tmp_path: Path, csv_path: str) -> Path:
    return _playbook(tmp_path, STEP.format(action="invite_guests") + f"    params: {{csv: {json.dumps(csv_path)}}}\n")


@pytest.fixture
def snap_file(snapshot_doc: dict, tmp_path: Path) -> Path:
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(snapshot_doc))
    return path


def _plan(pb: Path, snap: Path):  # noqa: ANN202
    return CliRunner().invoke(cli, ["playbook", "plan", str(pb), "--from-snapshot", str(snap)])


def test_guest_csv_never_echoes_lines_of_the_file(snap_file: Path, tmp_path: Path) -> None:
    secret = tmp_path / "shadow"  # stands in for /etc/shadow: a header that happens to say email, then secrets
    secret.write_text("email,hash\nroot:$6$SECRETSALT$SECRETHASH:19000:0:99999:7:::,x\n")
    result = _plan(_invite(tmp_path, str(secret)), snap_file)
    assert_clear_error(result, 2, "line 2")
    assert "SECRET" not in result.output and "root:" not in result.output
    headless = tmp_path / "passwd"
    headless.write_text("root:x:0:0:SECRETNAME:/root:/bin/bash\n")
    result = _plan(_invite(tmp_path, str(headless)), snap_file)
    assert_clear_error(result, 2, "first line")
    assert "SECRETNAME" not in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_guest_csv_must_be_a_regular_file(snap_file: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "guests.csv"
    os.mkfifo(fifo)  # reading it would block forever; it is refused without opening it for a writer
    assert_clear_error(_plan(_invite(tmp_path, str(fifo)), snap_file), 2, "not a regular file")
    assert_clear_error(_plan(_invite(tmp_path, str(tmp_path)), snap_file), 2, "not a regular file")
    if os.path.exists("/dev/zero"):
        assert_clear_error(_plan(_invite(tmp_path, "/dev/zero"), snap_file), 2, "not a regular file")


def test_guest_csv_size_cap_and_encoding(snap_file: Path, tmp_path: Path) -> None:
    from readiness.playbook.steps.invite_guests import MAX_CSV_BYTES

    big = tmp_path / "big.csv"
    big.write_bytes(b"email,displayName\n" + b"a@partner.example,A\n" * (MAX_CSV_BYTES // 20 + 1))
    assert_clear_error(_plan(_invite(tmp_path, str(big)), snap_file), 2, "larger than")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("email,displayName\nm\xfcller@partner.example,M\xfcller\n".encode("latin-1"))
    assert_clear_error(_plan(_invite(tmp_path, str(latin)), snap_file), 2, "UTF-8")
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"email,displayName\na@partner.example,\0A\n")
    result = _plan(_invite(tmp_path, str(nul)), snap_file)
    assert "internal error" not in result.output and "Traceback" not in result.output


# -- tenant-controlled names in terminal, Markdown and CSV output ----------------------------------------
HOSTILE_NAME = "\x1b]0;owned\x07\x1b[2J\u009b31mRed\u202eevil\u2066x\u2069\u200e\u061c\x00\x7f\u0085Name"
DANGEROUS = ["\x1b", "\u009b", "\u0085", "\u202e", "\u2066", "\u2069", "\u200e", "\u061c", "\x00", "\x7f", "\x07"]


@pytest.fixture(scope="module")
def hostile_server():  # noqa: ANN201
    tenant = generate_tenant("unprepared-sme", seed=7)
    tenant.display_name = HOSTILE_NAME
    for u in tenant.users:
        u["department"] = "\u202e" + HOSTILE_NAME
    members = [u for u in tenant.users if u["userType"] == "Member" and u["accountEnabled"]]
    members[0]["displayName"] = "  =HYPERLINK(\"http://evil.example\")"
    members[1]["displayName"] = "\t+1+cmd|' /C calc'!A0"
    members[2]["displayName"] = "\u202e=1+1"
    with SimulatorServer(Simulator(tenant)) as server:
        yield server, members[:3]


@pytest.mark.parametrize("fmt", ["table", "md", "csv", "json", "html"])
def test_hostile_names_are_neutralised(fmt: str, hostile_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    server, _ = hostile_server
    args = ["-o", fmt] + (["--people"] if fmt == "csv" else [])
    result = audit(server, monkeypatch, *args)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Red" in out and "evil" in out  # the visible text is kept ...
    for ch in DANGEROUS:  # ... the controls and bidi overrides are not
        assert ch not in out, (fmt, repr(ch))
    if fmt == "json":  # JSON keeps the exact data, as \\u escapes
        assert json.loads(out)["data"]["tenant"]["name"] == HOSTILE_NAME


def test_csv_neutralises_formulas_after_leading_spaces(hostile_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    server, victims = hostile_server
    out = audit(server, monkeypatch, "-o", "csv", "--people", "--csv-headers", "ids").stdout
    rows = {r["userPrincipalName"]: r for r in csv.DictReader(io.StringIO(out))}
    for v in victims:
        cell = rows[v["userPrincipalName"]]["displayName"]
        assert cell.startswith("'"), cell  # a spreadsheet shows it as text instead of evaluating it


# -- snapshots: wrongly typed fields deep inside the sections ---------------------------------------------
WRONG = {"number": 5, "list of numbers": [1], "object": {}}  # with None, what broke the audit before (a string rarely does)


def _field_paths(doc: dict) -> list[tuple[str, str, str | None]]:
    """(section, field, nested field) for every field of every item, one level deep, as the snapshot holds them."""
    paths = set()
    for name, sec in doc["sections"].items():
        items = sec["data"] if isinstance(sec["data"], list) else [sec["data"]] if isinstance(sec["data"], dict) else []
        for item in items:
            for key, value in item.items():
                paths.add((name, key, None))
                inner = value if isinstance(value, dict) else value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else {}
                paths.update((name, key, sub) for sub in inner)
    return sorted(paths, key=str)


def _spoil(doc: dict, name: str, key: str, sub: str | None, wrong: object) -> dict:
    data = doc["sections"][name]["data"]
    for item in data if isinstance(data, list) else [data]:
        if sub is None:
            item[key] = copy.deepcopy(wrong)
            continue
        value = item.get(key)
        for inner in [value] if isinstance(value, dict) else value if isinstance(value, list) else []:
            if isinstance(inner, dict):
                inner[sub] = copy.deepcopy(wrong)
    return doc


@pytest.mark.slow
def test_every_wrongly_typed_field_is_an_error_or_harmless(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every field of every section, set to each wrong type: either `Error: ...` on load, or a normal audit.

    This is what keeps snapshot_file.FIELDS honest: a field the audit reads without a type in that table
    shows up here as an internal error.
    """
    import readiness
    from readiness.collect.snapshot import Snapshot

    sim = Simulator(generate_tenant("enterprise", seed=3, size=20))  # every section complete (Intune, P1, reports)
    with SimulatorServer(sim) as srv:
        path = tmp_path / "ent.json"
        assert audit(srv, monkeypatch, "--snapshot-out", str(path), "--out", os.devnull).exit_code == 0
    doc = json.loads(path.read_text("utf-8"))
    assert all(sec["status"] == "complete" for name, sec in doc["sections"].items() if name != "mfa")
    crashes = []
    for name, key, sub in _field_paths(doc):
        for label, wrong in WRONG.items():
            spoiled = _spoil(copy.deepcopy(doc), name, key, sub, wrong)
            try:
                snap = Snapshot.from_dict(spoiled)
            except SnapshotError:
                continue
            try:
                result = readiness.evaluate(snap)
                readiness.render(result, "table")
                readiness.render(result, "csv", people=True)
                readiness.evaluate(snap, pseudonymize=True)
            except Exception as exc:  # noqa: BLE001 - collecting, not handling
                crashes.append(f"{name}.{key}{'.' + sub if sub else ''} = {label}: {type(exc).__name__}: {exc}")
    assert crashes == []
