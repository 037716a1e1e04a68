"""The HTML report a manager reads: valid CSS, evidence in words, lists that scale, a page that prints (issue 12)."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import readiness
from readiness import clock
from readiness.render.evidence import LIMIT, evidence_text, value_text
from readiness.simulator import generate_tenant

@pytest.fixture(scope="module", autouse=True)
def _fixed_day():
    with clock.frozen("2026-11-20T09:30:00Z"):
        yield


def snapshot_of(tenant):
    with readiness.serve_simulator(tenant=tenant) as sim:  # over HTTP, through the public API
        return readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token))


def audit_of(profile: str, size: int | None = None, **privacy):
    return readiness.evaluate(snapshot_of(generate_tenant(profile, seed=7, size=size)), **privacy)


@pytest.fixture(scope="module")
def sme():
    return audit_of("unprepared-sme")


@pytest.fixture(scope="module")
def large():
    return audit_of("enterprise", 5000)


def _style(html: str) -> str:
    return html.split("<style>", 1)[1].split("</style>", 1)[0]


def _evidence(html: str) -> list[str]:
    return re.findall(r'<div class="evidence">(.*?)</div>', html, flags=re.S)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_css_arrives_as_written(sme, lang: str) -> None:
    style = _style(readiness.render(sme, "html", lang))
    assert 'font-family: "Segoe UI"' in style and "&#34;" not in style and "&quot;" not in style
    assert "@page { size: A4" in style  # both shipped languages print on A4 (the catalogue's _paper)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_evidence_is_written_for_people(sme, lang: str) -> None:
    html = readiness.render(sme, "html", lang)
    evidence = " ".join(_evidence(html))
    assert evidence
    for raw in ("True", "False", "{'", "': ", "tenant_has_p1", "without_mfa", "skuId", "members_lacking_kit"):
        assert raw not in evidence, raw
    more = {"en": "and 22 more", "de": "und 22 weitere"}[lang]  # 27 without MFA: five names, then the rest counted
    assert more in evidence
    yes_no = {"en": ("Microsoft Entra ID P1 in the tenant: no",), "de": ("Microsoft Entra ID P1 im Mandanten: nein",)}[lang]
    assert all(y in evidence for y in yes_no)


def test_evidence_values_read_as_words() -> None:
    assert value_text(True, "de") == "ja" and value_text(False, "en") == "no"
    assert value_text(12345, "de") == "12.345"
    rows = [{"skuId": "f245", "name": "Microsoft 365 Business Standard", "free": 3}]
    assert value_text(rows, "en") == "Microsoft 365 Business Standard (free seats 3)"
    assert "skuId" not in value_text(rows, "en") and "{" not in value_text(rows, "en")
    names = [f"person.number{i}@example.com" for i in range(200)]
    long = evidence_text({"without_mfa": {"count": 200, "sample": names}, "guests_can_edit": names}, "en")
    assert len(long) <= LIMIT + 2 and "and 195 more" in long
    cut = evidence_text({f"k{i}": f"someone{i}@example.com" for i in range(80)}, "en")
    assert cut.endswith(" …") and re.search(r"someone\d+@example\.com …$", cut)  # cut between items, never mid-address


def test_free_viral_skus_are_a_note_not_seats(large) -> None:
    html = readiness.render(large, "html", "en")
    licences = html.split('id="licences"', 1)[1].split("</section>", 1)[0]
    table = licences.split("</table>", 1)[0]
    assert "FLOW_FREE" not in table and "10,000" not in table
    assert "Free self-service licences, not counted as seats" in licences and "FLOW_FREE" in readiness.render(large, "json", "en")


def test_lights_carry_a_word_as_well_as_a_colour(sme) -> None:
    html = readiness.render(sme, "html", "de")
    cards = html.split('class="cards"', 1)[1].split("</div>\n  </div>", 1)[0]
    words = re.findall(r'<div class="light-word">(.*?)</div>', cards)
    assert len(words) == 1 + len(sme.areas) and set(words) <= {"grün", "gelb", "rot", "ohne Bewertung"}
    assert '.light.red::after { content: "\\2715"; }' in html  # a symbol in the light, visible without colour


@pytest.mark.slow
def test_a_large_tenant_is_capped_in_print_and_complete_in_csv(large) -> None:
    html = readiness.render(large, "html", "de")
    not_ready = sum(1 for p in large.people if p["ready"] is False)
    assert not_ready > 500
    people_rows = html.split('id="departments"', 1)[1].count("<tr><td>")
    assert people_rows < 400, people_rows  # capped per department, not one row per person
    assert "weitere (siehe CSV)" in html
    headline = re.search(r'id="people-ready">(.*?)</p>', html).group(1)
    assert re.search(r"\d\.\d{3} Personen", headline), headline  # thousands separator in the headline
    people_csv = readiness.render(large, "csv", "de", people=True)
    assert people_csv.count("\n") - 1 == len(large.people)  # the full list stays in CSV


def test_trend_is_on_the_first_page() -> None:
    before = snapshot_of(generate_tenant("unprepared-sme", seed=7))
    tenant = generate_tenant("unprepared-sme", seed=7)
    for u in tenant.users:
        tenant.auth_methods[u["id"]] = ["password", "microsoftAuthenticatorPush"]
    html = readiness.render(readiness.evaluate(snapshot_of(tenant), before), "html", "en")
    summary = html.split('id="summary"', 1)[1].split("</section>\n\n<section", 1)[0]
    assert 'id="trend"' in summary and summary.index('id="trend"') < summary.index("Top actions")
    assert 'id="trend" class="page-break"' not in html


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _browser(tmp_path: Path) -> list[str]:
    return [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}"]


def _pages(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60).stdout
        return int(re.search(r"Pages:\s+(\d+)", out).group(1))
    return len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None, reason="no Chromium installed (apt-get install chromium); .ci/run installs it")
def test_browser_screenshots_and_print_of_small_and_large_tenants(tmp_path: Path, sme, large) -> None:
    """Screenshots at 1280 px and 390 px and PDF prints; the 5,000-person tenant prints to at most 20 A4 pages."""
    small_page, large_page = tmp_path / "small.html", tmp_path / "large.html"
    small_page.write_text(readiness.render(sme, "html", "de"), encoding="utf-8")
    large_page.write_text(readiness.render(large, "html", "de"), encoding="utf-8")
    shots = {}
    for width, height in ((1280, 2000), (390, 2400)):
        shot = tmp_path / f"report-{width}.png"
        subprocess.run([*_browser(tmp_path), f"--window-size={width},{height}", f"--screenshot={shot}", small_page.as_uri()],
                       capture_output=True, timeout=120)
        data = shot.read_bytes()
        assert data.startswith(b"\x89PNG") and int.from_bytes(data[16:20], "big") == width
        shots[width] = shot
    prints = {}
    for name, page in (("small", small_page), ("large", large_page)):
        pdf = tmp_path / f"{name}.pdf"
        subprocess.run([*_browser(tmp_path), "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                       capture_output=True, timeout=180)
        assert pdf.read_bytes().startswith(b"%PDF")
        prints[name] = _pages(pdf)
    assert 2 <= prints["small"] <= prints["large"] <= 20, prints
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(tmp_path / "large.pdf")], capture_output=True, text=True).stdout
        assert "(A4)" in info
