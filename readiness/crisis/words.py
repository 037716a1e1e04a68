"""The words of letters, measures and drills, per language: reports/translations/crisis.<lang>.json."""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from ..errors import UsageError
from ..resources import data_root

LANGS = ("en", "de")


@lru_cache(maxsize=None)
def words(lang: str) -> dict[str, Any]:
    if lang not in LANGS:
        raise UsageError(f"Unknown language '{lang}'", f"Use one of: {', '.join(LANGS)}")
    return json.loads(data_root("reports").joinpath("translations", f"crisis.{lang}.json").read_text("utf-8"))


def jinja_env(lang: str):  # noqa: ANN201
    """Autoescaped templates from reports/templates (tenant strings are escaped in every letter and report)."""
    import jinja2

    root = data_root("reports").joinpath("templates")
    return jinja2.Environment(loader=jinja2.FunctionLoader(lambda name: root.joinpath(name).read_text("utf-8")),
                              autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
