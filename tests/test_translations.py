"""The catalogue: complete in every language, real plurals, Babel formats, and a new language is one file."""
from __future__ import annotations

import ast
import html
import json
import re
import shutil
import string
from pathlib import Path

import pytest
from babel import Locale

import readiness
from readiness import i18n
from readiness.audit.matrix import REASON_CODES
from readiness.checks.registry import registry
from readiness.render.audit_text import render_licences

from .render.test_reports import demo_snapshot

SHIPPED = Path(__file__).resolve().parent.parent / "reports" / "translations"
PKG = Path(__file__).resolve().parent.parent / "readiness"


def _entries(lang: str) -> dict:
    return i18n.flatten(json.loads((SHIPPED / f"{lang}.json").read_text("utf-8")))


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_languages_are_the_catalogue_files_present() -> None:
    assert i18n.LANGS == tuple(sorted((p.stem for p in SHIPPED.glob("*.json")), key=lambda x: (x != "en", x)))
    assert {"en", "de"} <= set(i18n.LANGS)
    assert all(len(p.stem.split(".")) == 1 for p in SHIPPED.glob("*.json")), "one file per language, no side catalogues"


# the English text quotes the collector's own note (English); the German one says the same from the structured fields
FREE_TEXT_PARAMETERS = {"unavailable.fallback", "checks.sharing.stale_guests.not_evaluable_licence",
                        "checks.sharing.stale_guests.not_evaluable_permission"}


def test_english_and_german_have_the_same_keys_plural_forms_and_placeholders() -> None:
    en, de = _entries("en"), _entries("de")
    assert set(en) == set(de), set(en) ^ set(de)
    for lang, entries in (("en", en), ("de", de)):
        categories = Locale.parse(entries.get("_locale", lang)).plural_form.tags | {"other"}
        for key, value in entries.items():
            if i18n.is_plural(value):
                assert set(value) == categories, (lang, key, sorted(value))
    for key, value in en.items():
        if key.startswith("_") or key in FREE_TEXT_PARAMETERS:
            continue
        forms_en = value.values() if isinstance(value, dict) else [value]
        forms_de = de[key].values() if isinstance(de[key], dict) else [de[key]]
        # every form may drop {n} (e.g. "The only guest ..."), but no language may invent or lose another parameter
        assert set().union(*map(_fields, forms_en)) - {"n"} == set().union(*map(_fields, forms_de)) - {"n"}, key


def test_every_reason_has_words_in_both_languages() -> None:
    for lang in ("en", "de"):
        assert set(REASON_CODES) == set(i18n.labels(lang)["reason_words"])
    assert i18n.labels("de")["reason_words"]["no_mfa"] != i18n.labels("en")["reason_words"]["no_mfa"]


def test_every_check_has_its_texts_in_every_language() -> None:
    for spec in registry().values():
        for lang in i18n.LANGS:
            for part in ("title", "rationale", "remediation"):
                assert i18n.has(f"checks.{spec.id}.{part}", lang), (spec.id, part, lang)


def test_checks_hold_no_language() -> None:
    """No t("english", "deutsch") pairs and no check id repeated in finding(): findings are key + parameters."""
    for path in sorted((PKG / "checks").glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("t", "finding"):
                assert getattr(node.func, "id") == "finding", (path.name, node.lineno)
                first = node.args[0] if node.args else None
                assert not (isinstance(first, ast.Constant) and isinstance(first.value, str)), (path.name, node.lineno)
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not re.search(r"\b(nicht|Mitglieder|Lizenz|keine)\b", node.value), (path.name, node.lineno)


def test_plural_forms_follow_the_language() -> None:
    key = "checks.identity.ca_report_only.warn"
    assert i18n.text(key, "en", n=1) == "1 MFA policy is report-only and protects nobody yet."
    assert i18n.text(key, "en", n=2) == "2 MFA policies are report-only and protect nobody yet."
    assert i18n.text(key, "de", n=1).startswith("1 MFA-Richtlinie ist ")
    assert i18n.text(key, "de", n=3).startswith("3 MFA-Richtlinien sind ")


def test_numbers_and_dates_are_formatted_by_babel_for_the_language() -> None:
    assert (i18n.number(2850, "en"), i18n.number(2850, "de")) == ("2,850", "2.850")
    assert (i18n.number(12.5, "en"), i18n.number(12.5, "de")) == ("12.5", "12,5")
    assert i18n.when("2026-11-20T09:30:00Z", "en") == "20 Nov 2026, 09:30 UTC"
    assert i18n.when("2026-11-20T09:30:00Z", "de") == "20.11.2026, 09:30 UTC"
    # counts inside check messages too (this was a regular expression over the English and German sentences)
    key = "checks.licences.members_without_licence.fail"
    assert i18n.text(key, "en", n=1200, members=2850) == "1,200 of 2,850 active members have no licence."
    assert i18n.text(key, "de", n=1200, members=2850) == "1.200 von 2.850 aktiven Mitgliedern haben keine Lizenz."


def test_an_unknown_language_is_a_usage_error() -> None:
    from readiness.errors import UsageError

    with pytest.raises(UsageError) as err:
        i18n.text("audit_title", "fr")
    assert "fr" in err.value.what and "en, de" in err.value.fix


# -- a new language is one file --------------------------------------------------------------------------------

OPEN, CLOSE = "\u27e6", "\u27e7"


def _pseudo(value):  # noqa: ANN001, ANN202
    if isinstance(value, dict):
        return {k: (v if k.startswith("_") else _pseudo(v)) for k, v in value.items()}
    return f"{OPEN}{value}{CLOSE}"


@pytest.fixture()
def pseudo_lang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A copy of the shipped folder plus xx.json: every English text wrapped in brackets, dates in brackets too."""
    folder = tmp_path / "translations"
    shutil.copytree(SHIPPED, folder)
    tree = _pseudo(json.loads((SHIPPED / "en.json").read_text("utf-8")))
    tree["_date_format"] = f"'{OPEN}'y-MM-dd HH:mm'{CLOSE}'"
    (folder / "xx.json").write_text(json.dumps(tree, ensure_ascii=False), "utf-8")
    monkeypatch.setenv(i18n.ENV_DIR, str(folder))
    assert "xx" in i18n.available_languages()
    return "xx"


def _outside_catalogue(text: str) -> str:
    """What is left after removing every (possibly nested) catalogue text."""
    previous = None
    while previous != text:
        previous, text = text, re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", text)
    return text


def _words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]{2,}", text))


# what the tenant names (people, groups, devices, domains, SKUs): data a report shows as it is
NAME_KEYS = {"displayName", "userPrincipalName", "mail", "department", "deviceName", "managedDeviceName", "serialNumber",
             "skuPartNumber", "name", "givenName", "surname", "jobTitle", "companyName", "operatingSystem",
             "sharingAllowedDomainList", "sharingBlockedDomainList", "verifiedDomains"}
# evidence values that are names of products and permissions (the licence a tenant lacks, the permission missing)
NAMED_EVIDENCE = {"licence", "permission"}


def _tenant_names(value, key: str = ""):  # noqa: ANN001, ANN202
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _tenant_names(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _tenant_names(v, key)
    elif isinstance(value, str) and key in NAME_KEYS:
        yield value


def _evidence_names(evidence: dict):  # noqa: ANN202
    """Names in the evidence (people, teams, policies: list items and samples), never its coded scalar values."""
    for key, value in evidence.items():
        if key in NAMED_EVIDENCE and isinstance(value, str):
            yield value
        items = value.get("sample") if isinstance(value, dict) else value
        if isinstance(items, (list, tuple)):
            yield from (str(x.get("name") or x.get("displayName") or "") if isinstance(x, dict) else str(x) for x in items)


def _codes(text: str) -> set[str]:
    """Identifiers as code writes them: snake_case, or camelCase with a capital inside."""
    return set(re.findall(r"(?<![\w.@-])(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z]+[A-Z][A-Za-z0-9]*)(?![\w@-])", text))


def test_a_pseudo_language_file_supplies_every_visible_string(pseudo_lang: str) -> None:
    snapshot = demo_snapshot()
    audit = readiness.evaluate(snapshot)
    # words that are data, not text: names the tenant holds, ids of checks and playbooks, names in the evidence,
    # licence names. Not allowed: a coded value (a Graph enum, a state, a section id) shown to a reader as it is.
    data = " ".join(_tenant_names(snapshot.to_dict())) + " " + snapshot.tenant_name
    data += json.dumps([[c.spec.id, c.spec.fix_playbook, [list(_evidence_names(f.evidence)) for f in c.findings]]
                        for c in audit.checks], ensure_ascii=False, default=str)
    data += json.dumps(audit.licences, ensure_ascii=False)
    allowed = _words(data)
    # a section id would pass the brackets as the parameter of "sections.other": every section has its own name
    assert audit.not_evaluated and [m.section for m in audit.not_evaluated if m.name.key == "sections.other"] == []
    outputs = {fmt: readiness.render(audit, fmt, pseudo_lang) for fmt in ("table", "md", "html")}
    outputs["licences"] = render_licences(audit, pseudo_lang)
    catalogue_words = set()
    for lang in ("en", "de"):
        for value in _entries(lang).values():
            for form in (value.values() if isinstance(value, dict) else [value]):
                catalogue_words |= _words(re.sub(r"\{[^}]*\}", " ", str(form)))
    for fmt, out in outputs.items():
        assert OPEN in out, fmt
        if fmt == "html":
            out = re.sub(r"<style>.*?</style>", " ", out, flags=re.S)
            out = re.sub(r"<[^>]+>", " ", out)
        out = html.unescape(out)  # Markdown escapes & and < too
        leaked = {w for w in _words(_outside_catalogue(out)) - allowed
                  if not any(a.startswith(w) for a in allowed)}  # the evidence line is cut at 600 characters
        assert leaked == set(), (fmt, sorted(leaked)[:20])
        # and the strict form: no word of the English or German catalogue outside the brackets, unless it is data
        assert not (_words(_outside_catalogue(out)) & catalogue_words) - allowed, fmt
        # no code shown as it is (a section id, a Graph enum such as externalUserAndGuestSharing) unless it is an id
        # of a check or playbook or a name the tenant holds
        assert _codes(_outside_catalogue(out)) - _codes(data) == set(), (fmt, sorted(_codes(_outside_catalogue(out)) - _codes(data)))
    i18n.clear_cache()


def _message_data(value):  # noqa: ANN001, ANN202
    """The parameters of a catalogue message (tenant data, ids, values from the playbook), never its words."""
    if isinstance(value, i18n.Message):
        return [_message_data(v) for v in value.params.values()]
    return value


def test_the_plan_frame_comes_from_the_pseudo_language(pseudo_lang: str) -> None:
    """The WHOLE plan text of the demo is catalogue text around data: frame, step titles, change kinds, targets,
    no-op and blocked reasons. Allowed outside the brackets: step ids, action names, the parameters of the
    messages, before/after values, seats, permissions and what the tenant holds; not titles or reasons.
    Three plans, so that changes, no-op reasons and blocked reasons all appear: the demo's, the same playbook
    without parameters (steps waiting for one are blocked), and the secure-remote-access playbook without them."""
    from readiness.cli.demo import _demo_params

    snapshot = demo_snapshot()
    params = _demo_params(readiness.evaluate(snapshot))
    plans = [readiness.plan("emergency-home-office", snapshot, params=params),
             readiness.plan("emergency-home-office", snapshot, params={}),  # steps waiting for a parameter: blocked
             readiness.plan("secure-remote-access", snapshot, params={})]
    reasons = [r for planned in plans for s in planned.plan.steps for r in (s.blocked, s.noop_reason) if r]
    assert reasons and all(isinstance(r, i18n.Message) for r in reasons), reasons
    assert any(planned.plan.blocked for planned in plans) and any(s.noop_reason for p in plans for s in p.plan.steps)
    for planned in plans:
        out = readiness.render(planned, "table", pseudo_lang)
        assert f"{OPEN}Plan: " in out and f"{OPEN}Estimate: about " in out
        plan = planned.plan
        assert all(isinstance(s.title, i18n.Message) for s in plan.steps)
        for s in plan.steps:  # each step's title is bracketed, i.e. from the catalogue
            assert f"[{s.step}] {OPEN}" in out, s.step
        data = json.dumps([[s.step, s.action, _message_data(s.title), _message_data(s.noop_reason), _message_data(s.blocked),
                            s.seats, s.permissions, [[_message_data(c.target), c.before, c.after, c.action] for c in s.changes]]
                           for s in plan.steps], ensure_ascii=False, default=str) + str([[c.before, c.after] for c in plan.changes])
        data += json.dumps(snapshot.to_dict(), ensure_ascii=False)
        allowed = _words(data)
        leaked = _words(_outside_catalogue(out)) - allowed
        assert leaked == set(), (plan.playbook, sorted(leaked)[:20])
        # German: no English step title left (the titles of the shipped playbooks are translated too)
        german = readiness.render(planned, "table", "de")
        for s in plan.steps:
            assert i18n.text(s.title.key, "en") not in german and i18n.text(s.title.key, "de") in german
    i18n.clear_cache()


def test_plan_files_keep_messages_language_free(tmp_path: Path) -> None:
    """A plan written to a file holds message keys and parameters; read back it renders in any language."""
    from readiness.cli.demo import _demo_params
    from readiness.playbook.model import Plan

    snapshot = demo_snapshot()
    plan = readiness.plan("emergency-home-office", snapshot, params=_demo_params(readiness.evaluate(snapshot))).plan
    doc = json.loads(json.dumps(plan.to_dict()))
    first = doc["steps"][0]
    assert first["title"] == {"key": "steps.shipped.enable_plans", "params": {}}
    back = Plan.from_dict(doc)
    assert back.to_dict() == plan.to_dict() and back.signature() == plan.signature()
    for a, b in zip(back.steps, plan.steps):
        for lang in ("en", "de"):
            assert i18n.resolve(a.title, lang) == i18n.resolve(b.title, lang)
            assert i18n.resolve(a.noop_reason, lang) == i18n.resolve(b.noop_reason, lang)


def test_step_reasons_have_real_plurals() -> None:
    """One person, several people: the catalogue's plural forms, in English and German."""
    one = i18n.Message("steps.assign_licence.no_location", {"n": 1, "first": "a@x.example"})
    many = i18n.Message("steps.assign_licence.no_location", {"n": 3, "first": "a@x.example"})
    assert one.text("en").startswith("1 person has no usage location") and many.text("en").startswith("3 people have")
    assert "1 Person hat keinen Nutzungsstandort" in one.text("de") and "3 Personen haben keinen Nutzungsstandort" in many.text("de")
    missing = i18n.Message("steps.verify.members_missing", {"n": 1, "of": 4})
    assert missing.text("en") == "1 of 4 members missing" and missing.text("de") == "1 von 4 Mitgliedern fehlt"
    assert i18n.Message("steps.verify.members_missing", {"n": 2, "of": 4}).text("de") == "2 von 4 Mitgliedern fehlen"


def test_every_action_type_has_a_title_in_every_language() -> None:
    from readiness.playbook.steps import ACTIONS

    for name in ACTIONS:
        for lang in i18n.LANGS:
            assert i18n.has(f"steps.{name}.title", lang), (name, lang)
        assert i18n.text(f"steps.{name}.title", "en") == ACTIONS[name].TITLE  # the module's English title is the same text


def test_a_new_catalogue_file_is_a_new_cli_language(pseudo_lang: str, tmp_path: Path) -> None:
    """Through the real console script: --lang offers the new file; READINESS_LANG turns errors into it."""
    import os
    import subprocess
    import sys

    env = dict(os.environ)
    run = [sys.executable, "-m", "readiness", "checks", "show", "licences.apps_only", "--lang", pseudo_lang]
    out = subprocess.run(run, capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert f"{OPEN}Why:" in out.stdout and "\nWhy:" not in out.stdout and OPEN + "Nobody depends" in out.stdout
    env["READINESS_LANG"] = pseudo_lang
    bad = subprocess.run([sys.executable, "-m", "readiness", "checks", "show", "nope"], capture_output=True, text=True, env=env,
                         timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith(f"{OPEN}Error: {OPEN}There is no check 'nope'{CLOSE}"), bad.stderr
    env["READINESS_LANG"] = "de"
    de = subprocess.run([sys.executable, "-m", "readiness", "checks", "show", "nope"], capture_output=True, text=True, env=env,
                        timeout=60)
    assert de.stderr.startswith("Fehler: Es gibt keine Prüfung 'nope'"), de.stderr


def test_findings_are_a_key_and_parameters_named_by_the_engine() -> None:
    audit = readiness.evaluate(demo_snapshot())
    seen = set()
    for spec, _, findings in audit.checks:
        for f in findings:
            assert f.check_id == spec.id
            assert isinstance(f.message, i18n.Message)
            assert f.message.key.startswith((f"checks.{spec.id}.", "engine.")), f.message.key
            for lang in ("en", "de"):
                assert i18n.has(f.message.key, lang) and f.message.text(lang)
            seen.add(f.message.key.split(".")[0])
    assert seen == {"checks", "engine"}  # the demo tenant has no Intune: some checks are not evaluable, with the reason


def test_a_check_with_one_policy_reads_in_the_singular() -> None:
    """The "1 MFA policies" of old: the check's count picks the plural form of each language."""
    from readiness.checks.registry import run_checks

    from .checks.caselib import snapshot_for

    one = snapshot_for([["set", "sections.conditional_access.data.0.state", "enabledForReportingButNotEnforced"]])
    (_, findings), = run_checks(one, ["identity.ca_report_only"])
    assert findings[0].message.key == "checks.identity.ca_report_only.warn" and findings[0].message.params["n"] == 1
    assert findings[0].message["en"] == "1 MFA policy is report-only and protects nobody yet."
    assert findings[0].message["de"] == "1 MFA-Richtlinie ist im Nur-Bericht-Modus und schützt noch niemanden."


def test_a_german_plan_names_steps_kinds_and_fixed_targets_in_german() -> None:
    """Found by an independent check: `readiness demo --lang de` printed the shipped steps' titles, the change kinds
    (update/create/send) and the targets the action types name in English ("39 recipients", "SharePoint sharing
    settings", "guest invitation policy") inside the German plan."""
    from readiness.cli.demo import _demo_params

    snapshot = demo_snapshot()
    planned = readiness.plan("emergency-home-office", snapshot, params=_demo_params(readiness.evaluate(snapshot)))
    out = readiness.render(planned, "table", "de")
    english = ["Switch Teams", "Tell everyone", "Create the crisis team", " recipients:", "sharing settings",
               "guest invitation policy", "    update ", "    create ", "    send "]
    assert [w for w in english if w in out] == []
    assert "    ändern  " in out
    assert "Tell everyone how to start working from home" in readiness.render(planned, "table", "en")


def test_a_second_count_in_one_sentence_has_its_own_plural_form() -> None:
    """Found by an independent check: `audit --lang de -o md` said "1 deaktiviertes Konto belegt 1 Lizenzen"
    (and English "holds 1 seats"): only the first count chose a plural form."""
    key = "checks.licences.disabled_accounts_hold_seats.warn"
    assert i18n.text(key, "en", n=1, seats=1) == "1 disabled account holds 1 seat that could be reused."
    assert i18n.text(key, "en", n=1, seats=3) == "1 disabled account holds 3 seats that could be reused."
    assert i18n.text(key, "de", n=1, seats=1) == "1 deaktiviertes Konto belegt 1 Lizenz, die wiederverwendet werden könnte."
    assert i18n.text(key, "de", n=2, seats=2) == "2 deaktivierte Konten belegen 2 Lizenzen, die wiederverwendet werden könnten."


def test_no_administrator_in_the_report_is_not_all_zero_administrators() -> None:
    """Found by an independent check: a fleet tenant's audit said "Alle 0 Admins haben MFA." ("All 0 administrators
    have MFA.") when the registration report flagged nobody as admin."""
    from readiness.checks.registry import run_checks
    from tests.checks.caselib import snapshot_for

    # nobody holds a directory role (the check reads role assignments since issue 14) nor is flagged as admin
    no_admins = [["set", "sections.mfa.data.0.isAdmin", False], ["set", "sections.roles.data", []],
                 ["set", "sections.roles.count", 0]]
    (_, findings), = run_checks(snapshot_for(no_admins), ["identity.admin_mfa"])
    assert findings[0].evidence["admins"] == 0
    assert " 0 " not in findings[0].message["en"] and " 0 " not in findings[0].message["de"]
    assert "no account as an administrator" in findings[0].message["en"] and "kein Konto als Admin" in findings[0].message["de"]


# -- Microsoft's German terms, one spelling each -----------------------------------------------------------------------

# Microsoft's German documentation says "Kennwort" (never "Passwort"), "Self-Service-Kennwortzurücksetzung" for SSPR
# (https://learn.microsoft.com/de-de/entra/identity/authentication/concept-sspr-howitworks) and "Befristeter
# Zugriffspass" as the method's name (https://learn.microsoft.com/de-de/entra/identity/authentication/howto-authentication-temporary-access-pass)
OTHER_SPELLINGS = {
    r"[Pp]asswort": "Kennwort",
    r"(?<!Self-Service-)Kennwortzurücksetzung": "Self-Service-Kennwortzurücksetzung",
    r"\bbefristete[nrsm]? Zugriffsp": "Befristeter Zugriffspass",
    r"[Tt]empor[äa]re[nrsm]? Zugriffsp": "Befristeter Zugriffspass",
    r"Nutzungsort": "Nutzungsstandort",
    r"Multi-?[Ff]aktor": "Mehrstufige Authentifizierung (MFA)",
    r"[Vv]eraltete[nrsm]? Authentifizierung": "Legacy-Authentifizierung",
    r"Microsoft (365|Graph)-": "Microsoft-365-..., Microsoft-Graph-... (a compound hyphenated throughout)",
}


def test_the_german_catalogue_uses_microsofts_terms_and_no_other_spelling() -> None:
    texts = [form for value in _entries("de").values() for form in (value.values() if isinstance(value, dict) else [value])]
    for pattern, term in OTHER_SPELLINGS.items():
        found = [t for t in texts if re.search(pattern, str(t))]
        assert found == [], (term, found[:3])
    assert any("Self-Service-Kennwortzurücksetzung" in str(t) for t in texts)
    assert any("Befristeter Zugriffspass" in str(t) for t in texts)


def test_every_permission_says_what_it_is_needed_for_in_every_language() -> None:
    """`tenant test` says each permission's purpose from the catalogue (lang17 T1): one text per permission listed."""
    from readiness.graph.permissions import FEATURES
    from readiness.i18n import LANGS, has

    for lang in LANGS:
        for feature, needs in FEATURES.items():
            for need in needs:
                assert has(f"permission_purposes.{feature}.{need.permission.replace('.', '_')}", lang), (lang, need)
