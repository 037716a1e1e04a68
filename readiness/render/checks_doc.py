"""The checks reference (docs/checks.md) generated from the registry, so the docs cannot drift."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..i18n import labels, text

if TYPE_CHECKING:  # renderers read the specs they are given; they never import the checks
    from ..checks.model import CheckSpec


def checks_markdown(specs: list[CheckSpec], lang: str = "en") -> str:
    def tx(key: str, **params: object) -> str:
        return text(f"docs.checks.{key}", lang, **params)

    out = [f"# {tx('title')}", "", tx("generated"), ""]
    for area in ("licences", "teams", "sharing", "devices", "identity"):
        L = labels(lang)
        out += [f"## {L['areas'].get(area, area)}", ""]
        for s in (x for x in specs if x.area == area):
            out += [f"### `{s.id}` ({L['severity'].get(s.severity.value, s.severity.value)})", "", f"**{s.title[lang]}**", "",
                    f"- {tx('why', text=s.rationale)}", f"- {tx('fix', text=s.remediation, effort=labels(lang)['effort'][s.effort])}",
                    f"- {tx('playbook', playbook=('`' + s.fix_playbook + '`') if s.fix_playbook else tx('none'))}",
                    f"- {tx('reads', sections=', '.join(s.requires) or '-')}", ""]
    return "\n".join(out)
