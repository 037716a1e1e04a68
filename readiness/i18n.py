"""The translation catalogue: every visible string, keyed by stable ids, with plurals, numbers and dates from Babel.

One JSON file per language in ``reports/translations/<lang>.json`` (``READINESS_TRANSLATIONS_DIR`` overrides the
folder, for tests and for translators). Adding a language is adding one file; ``LANGS`` lists the files present.

File format (nested objects, addressed by dotted keys such as ``checks.licences.apps_only.fail``):
- a string is a text; ``{name}`` placeholders take parameters. Numbers are formatted for the locale by Babel.
- an object whose keys are CLDR plural categories (``one``, ``other``, ``few`` ...) is a plural text, chosen by the
  parameter ``n`` with the language's plural rules (Babel).
- ``{x:some.key}`` formats parameter ``x`` through the plural text ``some.key`` (a second count in one sentence).
- ``{x:date}`` formats the ISO timestamp ``x`` in the language's date pattern (Babel), as ``when`` does.
- ``{x:money}`` formats amounts written "2154.65 EUR" (several joined by ", ") in the language's money format, as
  ``money_text`` does.
- ``{x:decimal}`` formats the decimal ``x``, given as text to the places it needs ("2.04"), in the language's number
  format with every place kept (2,04), as ``decimal_text`` does.
- ``_locale`` names the Babel locale of the file (default: the file name), ``_date_format`` a CLDR date pattern.

JSON rather than gettext .po: the catalogue is nested by area and check, read by Jinja templates as well as code,
and a pseudo-language for tests is one ``json.dumps`` away; Babel still supplies plural rules and formats.
"""
from __future__ import annotations

import json
import os
import re
import string
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Mapping

from . import errors as _errors
from .errors import Phrase, UsageError
from .resources import data_root

ENV_DIR = "READINESS_TRANSLATIONS_DIR"
DEFAULT_LANG = "en"
PLURAL_CATEGORIES = frozenset({"zero", "one", "two", "few", "many", "other"})


_LANG_FILE = re.compile(r"^[a-z]{2,3}(_[A-Za-z]{2,4})?\.json$")  # en.json, de.json, pt_BR.json: one file per language


def translations_dir() -> Any:
    override = os.environ.get(ENV_DIR)
    return Path(override) if override else data_root("reports").joinpath("translations")


def available_languages() -> tuple[str, ...]:
    """Languages whose catalogue file is present, English first."""
    found = sorted(p.name[:-5] for p in translations_dir().iterdir() if _LANG_FILE.match(p.name))
    return tuple(sorted(found, key=lambda x: (x != DEFAULT_LANG, x)))


LANGS: tuple[str, ...] = available_languages()


def is_plural(value: Any) -> bool:
    return isinstance(value, dict) and "other" in value and set(value) <= PLURAL_CATEGORIES


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted key -> text or plural object."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict) and not is_plural(value):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


@dataclass(frozen=True)
class Catalogue:
    lang: str
    tree: dict[str, Any]
    entries: dict[str, Any]

    @cached_property
    def locale(self) -> Any:
        from babel import Locale

        return Locale.parse(self.tree.get("_locale", self.lang))


@lru_cache(maxsize=None)
def _load(folder: str, lang: str) -> Catalogue:  # folder: the cache key of the folder translations_dir() names
    tree = json.loads(translations_dir().joinpath(f"{lang}.json").read_text("utf-8"))
    return Catalogue(lang, tree, flatten(tree))


def catalogue(lang: str) -> Catalogue:
    folder = os.environ.get(ENV_DIR) or "<shipped>"
    langs = LANGS if folder == "<shipped>" else available_languages()
    if lang not in langs:
        raise UsageError.keyed("i18n.unknown_language", lang=lang, langs=", ".join(langs))
    return _load(folder, lang)


def labels(lang: str) -> dict[str, Any]:
    """The nested catalogue (templates read it as ``L.areas.teams`` ...)."""
    return catalogue(lang).tree


def clear_cache() -> None:
    _load.cache_clear()


# -- formatting ---------------------------------------------------------------------------------------------------

def number(value: float | int, lang: str) -> str:
    """A count or a measure in the language's number format (1,234 / 1.234; 12.5 / 12,5)."""
    from babel.numbers import format_decimal

    loc = catalogue(lang).locale
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return format_decimal(value, locale=loc) if isinstance(value, int) else format_decimal(value, format="#,##0.0", locale=loc)


def when(iso: str, lang: str) -> str:
    """An ISO timestamp in the language's date pattern (22 Nov 2026, 14:03 UTC / 22.11.2026, 14:03 UTC)."""
    from babel.dates import format_datetime

    cat = catalogue(lang)
    try:
        dt = datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return str(iso)
    return format_datetime(dt, cat.tree.get("_date_format", "medium"), tzinfo=dt.tzinfo, locale=cat.locale)


def day(iso_date: str, lang: str) -> str:
    """An ISO date (2026-12-20) as ``when`` writes its date, without the time (20 Dec 2026 / 20.12.2026); anything
    that is no date as it is."""
    from datetime import date

    from babel.dates import format_date

    cat = catalogue(lang)
    try:
        return format_date(date.fromisoformat(str(iso_date)), str(cat.tree.get("_date_format", "medium")).split(",")[0],
                           locale=cat.locale)
    except (ValueError, TypeError):
        return str(iso_date)


def plural(entry: Mapping[str, str], n: Any, lang: str) -> str:
    category = catalogue(lang).locale.plural_form(abs(n)) if isinstance(n, (int, float)) else "other"
    return entry.get(category, entry["other"])


DATE_SPEC = "date"
DECIMAL_SPEC = "decimal"


def decimal_text(value: Any, lang: str) -> str:
    """A decimal written as text ("2.04", as a bound's message computes it to the places it needs) in the language's
    format ("2,04"), every place kept; anything that is no such number as it is."""
    from decimal import Decimal, InvalidOperation

    from babel.numbers import format_decimal

    try:
        d = Decimal(str(value)) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite() or len(str(value)) > 40 or abs(d.adjusted()) > 15:
        return str(value)
    try:
        return format_decimal(d, locale=catalogue(lang).locale, decimal_quantization=False)
    except ArithmeticError:  # pragma: no cover - bounded above; a figure Babel cannot write is said as it is
        return str(value)


MONEY_SPEC = "money"
_AMOUNT = re.compile(r"^(-?[0-9]{1,15}(?:\.[0-9]{1,10})?) ([A-Z]{3})$")


def money(amount: Any, currency: str, lang: str) -> str:
    """An amount (text or a number: "2154.65") in ``currency`` (ISO 4217: "EUR") as the language writes money:
    2.154,65 € in German, €2,154.65 in English."""
    from decimal import Decimal

    from babel.numbers import format_currency

    return format_currency(Decimal(str(amount)), currency, locale=catalogue(lang).locale)


def money_text(value: Any, lang: str) -> str:
    """Amounts written "2154.65 EUR" (several joined by ", ", one per currency) in the language's money format; any
    part that is no such amount as it is."""
    out = []
    for part in str(value).split(", "):
        m = _AMOUNT.match(part)
        try:
            out.append(money(m.group(1), m.group(2), lang) if m else part)
        except (ValueError, ArithmeticError):  # pragma: no cover - the pattern admits only what Babel can write
            out.append(part)
    return ", ".join(out)


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, spec: str) -> str:
        if spec == DATE_SPEC:  # {created_at:date}: an ISO timestamp in the language's date pattern
            return when(value, self.lang)
        if spec == MONEY_SPEC:  # {total:money}: "2154.65 EUR" (kept as text in findings) as 2.154,65 € in German
            return money_text(value, self.lang)
        if spec == DECIMAL_SPEC:  # {value:decimal}: "2.04" (text, its places chosen by the caller) as 2,04 in German
            return decimal_text(value, self.lang)
        if spec and not spec[0].isdigit() and spec[0] not in "<>^=+-,._ #%":
            entry = catalogue(self.lang).entries.get(spec)
            if is_plural(entry):
                return self.format(plural(entry, value, self.lang), n=self.format_field(value, ""))
        if isinstance(value, (Message, Phrase)):  # a translatable part of the sentence (a section's reason)
            return value.text(self.lang)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and not spec:
            return number(value, self.lang)
        return super().format_field(value, spec)

    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        return kwargs[key] if not isinstance(key, int) else args[key]


def text(key: str, lang: str, /, **params: Any) -> str:
    """The text ``key`` in ``lang`` with its parameters filled in (a plural text is chosen by ``n``)."""
    entry = catalogue(lang).entries.get(key)
    if entry is None:
        raise KeyError(f"no text {key!r} in the {lang} catalogue")
    if is_plural(entry):
        entry = plural(entry, params.get("n"), lang)
    if not params:
        return entry
    return _Formatter(lang).format(entry, **params)


def has(key: str, lang: str = DEFAULT_LANG) -> bool:
    return key in catalogue(lang).entries


UI_LANG_ENV = "READINESS_LANG"


def ui_lang() -> str:
    """The language of prompts, progress and errors: READINESS_LANG if its catalogue exists, else English."""
    lang = os.environ.get(UI_LANG_ENV, "")
    return lang if lang and lang in available_languages() else DEFAULT_LANG


def say(key: str, /, **params: Any) -> str:
    """A text for the person at the terminal (prompt, progress line, error), in ``ui_lang()``."""
    return text(key, ui_lang(), **params)


@dataclass(frozen=True)
class Message:
    """A language-free text: a catalogue key and its parameters, rendered when the language is known.

    ``message[lang]`` renders it, so code written for the old ``{"en": ..., "de": ...}`` dicts keeps working.
    Parameters may themselves be Messages (a translatable part of a sentence).
    """
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        return text(self.key, lang, **self.params)

    def __getitem__(self, lang: str) -> str:
        return self.text(lang)


def in_every_language(message: Message) -> dict[str, str]:
    """``{lang: text}`` for every catalogue present: for files written once and read in any language later."""
    return {lang: message.text(lang) for lang in LANGS}


def resolve(value: Any, lang: str) -> Any:
    """``value`` with every Message in it rendered in ``lang`` (for plain-data outputs such as JSON)."""
    if isinstance(value, Message):
        return value.text(lang)
    if isinstance(value, dict):
        return {k: resolve(v, lang) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [resolve(v, lang) for v in value]
    return value


class _ErrorTexts:
    """What ``readiness.errors`` needs of the catalogue (it may not import this module: see errors.use_catalogue)."""

    has = staticmethod(has)
    text = staticmethod(text)


_errors.use_catalogue(_ErrorTexts())
