"""The words of letters, measures, drills and lessons: the "crisis" part of reports/translations/<lang>.json."""
from __future__ import annotations

from typing import Any

from ..i18n import labels
from ..resources import data_root


def words(lang: str) -> dict[str, Any]:
    return labels(lang)["crisis"]


def jinja_env(lang: str):  # noqa: ANN201
    """Autoescaped templates from reports/templates (tenant strings are escaped in every letter and report)."""
    import jinja2

    root = data_root("reports").joinpath("templates")
    return jinja2.Environment(loader=jinja2.FunctionLoader(lambda name: root.joinpath(name).read_text("utf-8")),
                              autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
