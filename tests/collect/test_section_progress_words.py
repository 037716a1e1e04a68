"""A section's progress line and its reason are catalogue phrases: a German terminal reads them in German (issue 12)."""
from __future__ import annotations

import readiness
from readiness.errors import Phrase
from readiness.simulator import generate_tenant


def test_section_lines_and_reasons_speak_the_terminals_language() -> None:
    lines: list[object] = []
    with readiness.serve_simulator(tenant=generate_tenant("unprepared-sme", seed=7)) as sim:
        snap = readiness.collect(readiness.connect(graph_url=sim.graph_url, token=sim.token), progress=lines.append)
    sections = [m for m in lines if isinstance(m, Phrase) and m.key.startswith("cli.progress.section")]
    assert len(sections) >= len(snap.sections) - 2  # one line per section
    german = "\n".join(m.text("de") for m in sections)
    english = "\n".join(str(m) for m in sections)
    assert "vollständig" in german and "verweigert 0" in german and "der Mandant hat kein Microsoft Intune" in german
    assert "complete" not in german and "the tenant" not in german
    assert "forbidden 0 the tenant has no Microsoft Intune" in english
    intune = snap.section("managed_devices")
    assert intune.reason == "the tenant has no Microsoft Intune (Graph answered 403 Forbidden)"  # stored in English
