"""`readiness letters`: one page per person who is not ready, private files, escaped names, refused when pseudonymised."""
from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

import readiness
from readiness.audit.privacy import pseudonymize
from readiness.cli import cli


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_one_letter_per_person_not_ready_in_both_languages(demo_snapshot, tmp_path: Path, lang: str) -> None:
    audit = readiness.evaluate(demo_snapshot)
    not_ready = {p["id"]: p for p in audit.people if p["ready"] is False}
    ready = [p for p in audit.people if p["ready"] is True]
    assert not_ready and ready
    out = tmp_path / "letters"
    result = readiness.letters(demo_snapshot, out, lang=lang, params={"contact": "IT-Hotline 0800 123 45"})
    assert set(result.people) == set(not_ready)
    assert sorted(p.suffix for p in out.iterdir()).count(".html") == len(not_ready)
    assert _mode(out) == 0o700 and all(_mode(p) == 0o600 for p in out.iterdir())
    text = "\n".join(p.read_text("utf-8") for p in out.glob("*.md"))
    for person in ready:  # nobody who is ready gets a letter
        assert person["userPrincipalName"].split("@")[0] not in text  # Markdown no longer escapes dots (issue 12)
    heading = {"en": "What to do tomorrow morning", "de": "Was Sie morgen früh tun"}[lang]
    assert text.count(heading) == len(not_ready)
    assert text.count("0800 123 45") >= len(not_ready)
    # each letter names what is missing for that person: MFA instructions only where MFA is missing
    no_mfa = [p for p in not_ready.values() if "no_mfa" in p["reasons"]]
    assert text.count("aka.ms/mysecurityinfo") == len(no_mfa) > 0


def test_names_are_escaped_in_html_and_markdown(demo_snapshot, tmp_path: Path) -> None:
    readiness.letters(demo_snapshot, tmp_path / "l", lang="en", params={"contact": "<b>Hotline</b>"})
    html = "\n".join(p.read_text("utf-8") for p in (tmp_path / "l").glob("*.html"))
    md = "\n".join(p.read_text("utf-8") for p in (tmp_path / "l").glob("*.md"))
    assert "<script>" not in html and "<b>Hotline" not in html and "&lt;b&gt;Hotline" in html
    assert "<script>" not in md and "\\[x\\](y)" in md and "\\*bold\\*" in md


def test_pseudonymised_snapshots_are_refused(demo_snapshot, tmp_path: Path) -> None:
    private = pseudonymize(demo_snapshot, b"k" * 32)
    with pytest.raises(readiness.UsageError, match="pseudonymised"):
        readiness.letters(private, tmp_path / "l")
    assert not (tmp_path / "l").exists()


def test_a_temporary_access_pass_goes_only_into_its_owners_letter(demo_snapshot, tmp_path: Path) -> None:
    audit = readiness.evaluate(demo_snapshot)
    owner = next(p for p in audit.people if p["ready"] is False)
    passes = tmp_path / "passes.json"
    passes.write_text(json.dumps({"schema_version": 1, "passes": {owner["id"]: {"pass": "TAP-8ZK2-QX71",
                                                                               "valid_until": "2026-12-01T18:00:00Z"}}}))
    result = readiness.letters(demo_snapshot, tmp_path / "l", lang="de", passes=passes)
    assert result.with_pass == 1
    holders = [p.name for p in (tmp_path / "l").iterdir() if "TAP-8ZK2-QX71" in p.read_text("utf-8")]
    stem = f"{result.people.index(owner['id']) + 1:03d}-"
    assert sorted(holders) == [f for f in sorted(p.name for p in (tmp_path / "l").iterdir()) if f.startswith(stem)]
    assert len(holders) == 2  # its html and its md, nobody else's


def test_cli_writes_letters_and_rejects_unknown_parameters(demo_snapshot, tmp_path: Path) -> None:
    snap = tmp_path / "snap.json"
    demo_snapshot.save(snap)
    runner = CliRunner()
    res = runner.invoke(cli, ["letters", str(snap), "--lang", "de", "--out-dir", str(tmp_path / "b"), "-p", "contact=Frau Weber"])
    assert res.exit_code == 0, res.output
    assert " Briefe nach " in res.output and any((tmp_path / "b").glob("*.html"))  # the note in the command's --lang
    res = runner.invoke(cli, ["letters", str(snap), "--out-dir", str(tmp_path / "c"), "-p", "colour=red"])
    assert res.exit_code == 2 and res.output.startswith("Error: Unknown parameter colour") and "Traceback" not in res.output



def test_german_letters_use_microsofts_german_terms(demo_snapshot, tmp_path: Path) -> None:
    # Microsoft's German pages say "Mehrstufige Authentifizierung (MFA)"
    # (https://learn.microsoft.com/de-de/entra/identity/authentication/concept-mfa-howitworks), and the German
    # Microsoft 365 admin center labels a user's usageLocation "Nutzungsstandort".
    from readiness.i18n import labels

    readiness.letters(demo_snapshot, tmp_path / "l", lang="de")
    text = "\n".join(p.read_text("utf-8") for p in (tmp_path / "l").glob("*.md"))
    assert "Mehrstufige Authentifizierung (MFA)" in text and "zweitem Faktor" not in text
    words = json.dumps(labels("de"), ensure_ascii=False)
    assert "Nutzungsstandort" in words and "Nutzungsort" not in words
