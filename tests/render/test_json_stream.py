"""`-o json` written in pieces (issue 15): the streamed bytes are exactly ``readiness.render(audit, format="json")``'s
text, in every language, for the demo and a 2,000-user tenant, private or not; the CLI streams to --out and stdout."""
from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

import readiness
from readiness import clock
from readiness.cli import cli
from readiness.render import json_stream
from readiness.simulator import Simulator, generate_tenant
from readiness.simulator.server import SimulatorServer
from tests.checks.test_evaluate_golden import NOW, snapshot_of


def streamed(audit, lang: str = "en", **kw) -> bytes:  # noqa: ANN001
    buf = io.BytesIO()
    assert readiness.render(audit, format="json", lang=lang, stream=buf, **kw) == ""
    return buf.getvalue()


@pytest.fixture(scope="module")
def audits() -> dict:
    with clock.frozen(NOW):
        return {name: readiness.evaluate(snapshot_of(name)) for name in ("unprepared-sme", "enterprise-2000")}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["unprepared-sme", "enterprise-2000"])
@pytest.mark.parametrize("lang", ["en", "de"])
def test_streamed_bytes_are_the_rendered_text(audits: dict, name: str, lang: str) -> None:
    audit = audits[name]
    text = readiness.render(audit, format="json", lang=lang)
    got = streamed(audit, lang)
    assert got == text.encode("utf-8")
    assert len(audit.people) > (1000 if name == "enterprise-2000" else 10)  # more than one chunk of rows for 2,000


@pytest.mark.slow
def test_chunk_boundaries_and_private_audits_change_nothing(audits: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    audit = audits["unprepared-sme"]
    monkeypatch.setattr(json_stream, "CHUNK", 7)  # 39 rows: five full chunks and a short one
    assert streamed(audit) == readiness.render(audit, format="json").encode("utf-8")
    for private in ({"aggregate_only": True}, {"pseudonymize": True}):
        expected = readiness.render(audit, format="json", **private)
        assert streamed(audit, **private) == expected.encode("utf-8")
    aggregated = streamed(audit, aggregate_only=True)
    assert b'"people": []' in aggregated  # no rows: the empty list in place


@pytest.mark.slow
def test_a_piece_of_rows_stays_under_the_allocators_mapping_threshold(audits: dict) -> None:
    """Each piece's text (and orjson's buffer for it) is malloc'd: above glibc's default mmap threshold (128 KiB)
    every piece is mapped, faulted in page by page and unmapped again (18,000 page faults at 100,000 people)."""
    audit = audits["enterprise-2000"]
    rows = audit.people
    body = streamed(audit).partition(b'"people": [')[2]
    per_row = len(body) / len(rows)  # this tenant's rows, indented as written: about 800 bytes each
    assert 500 < per_row < 1200
    assert json_stream.CHUNK * per_row < 128 * 1024 * 0.75  # a margin for longer names and more reasons


@pytest.mark.slow
def test_tenant_strings_are_escaped_as_the_rendered_text_escapes_them(audits: dict) -> None:
    audit = audits["unprepared-sme"]
    rows = [dict(r) for r in audit.people]
    rows[0]["displayName"] = 'Eve \u009b[31m "quoted" \u202egnp.exe\nnext'  # a C1 CSI, a bidi override, a line break
    rows[-1]["department"] = "\x7f\u2028"
    import dataclasses

    hostile = dataclasses.replace(audit, people=rows)
    got = streamed(hostile)
    assert got == readiness.render(hostile, format="json").encode("utf-8")
    assert b"\\u009b[31m \\\"quoted\\\" \\u202egnp.exe\\nnext" in got and b"\\u007f\\u2028" in got
    assert "\u009b".encode() not in got and "\u202e".encode() not in got


def test_report_streams_json_to_out_and_stdout(saved: Path, tmp_path: Path) -> None:
    """`saved` was collected from the simulator over real HTTP."""
    audit = readiness.evaluate(readiness.load_snapshot(saved))
    expected = readiness.render(audit, format="json").encode("utf-8")
    out = tmp_path / "audit.json"
    r = CliRunner().invoke(cli, ["report", str(saved), "-o", "json", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes() == expected
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600  # personal data
    r = CliRunner().invoke(cli, ["report", str(saved), "-o", "json"])
    assert r.exit_code == 0 and r.stdout_bytes == expected


def test_audit_streams_json_with_its_exit_code_over_http(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with SimulatorServer(Simulator(generate_tenant("unprepared-sme", seed=7))) as server:
        monkeypatch.setenv("READINESS_ACCESS_TOKEN", server.sim.issue_token())
        out, snap = tmp_path / "a.json", tmp_path / "s.json.gz"
        r = CliRunner().invoke(cli, ["audit", "--graph-url", server.base_url, "-o", "json", "--out", str(out),
                                     "--snapshot-out", str(snap), "--fail-on", "critical"])
    assert r.exit_code == 3, r.output  # the demo tenant fails critical checks: the code is in the envelope too
    audit = readiness.evaluate(readiness.load_snapshot(snap))
    expected = readiness.render(audit, format="json", command="audit", exit_code=3)
    assert out.read_bytes() == expected.encode("utf-8") and b'"exit_code": 3' in out.read_bytes()
