"""Licence prices from a file the IT provider keeps (``--prices FILE.csv``); Graph has no prices, none are invented.

The file: CSV with a header row and the columns ``sku`` (SKU part number, e.g. SPE_E3), ``monthly_price``
(a decimal, dot or comma) and ``currency`` (ISO 4217, e.g. EUR). The prices go into the snapshot as the
section ``prices`` (source: the file), so checks stay pure functions of the snapshot.
"""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..collect.snapshot import COMPLETE, Section, Snapshot
from ..errors import Phrase, UsageError

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_SKU = re.compile(r"^[A-Za-z0-9_.()+-]{1,80}$")
MAX_BYTES = 1024 * 1024


def parse_prices(text: str, where: str | None = None) -> dict[str, dict]:
    """SKU part number (upper case) -> {"monthly": "12.50", "currency": "EUR"}; UsageError naming the line.
    ``where``: what to call the file in an error, said in the error's language ("the prices file x.csv")."""
    where = where if where is not None else Phrase("errors.prices.where.text")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = [str(f or "").strip().lower() for f in reader.fieldnames or []]
    if not {"sku", "monthly_price", "currency"} <= set(fields):
        raise UsageError.keyed("prices.no_header", fix_key="prices.bad_file", where=where)
    out: dict[str, dict] = {}
    for n, row in enumerate(reader, start=2):
        row = {str(k or "").strip().lower(): str(v or "").strip() for k, v in row.items() if not isinstance(v, list)}
        if not any(row.values()):
            continue
        sku, raw, cur = row.get("sku", ""), row.get("monthly_price", "").replace(",", "."), row.get("currency", "").upper()
        try:
            price = Decimal(raw)
        except InvalidOperation:
            price = Decimal(-1)
        if not _SKU.match(sku) or not price.is_finite() or price < 0 or not _CURRENCY.match(cur):
            raise UsageError.keyed("prices.bad_line", fix_key="prices.bad_file", n=n, where=where)
        if sku.upper() in out:
            raise UsageError.keyed("prices.duplicate", fix_key="prices.bad_file", n=n, where=where, sku=sku)
        out[sku.upper()] = {"monthly": str(price), "currency": cur}
    return out


def load_prices(path: str | Path) -> dict[str, dict]:
    p = Path(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise UsageError.keyed("prices.too_large", fix_key="prices.bad_file", name=p.name)
        text = p.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError.keyed("prices.unreadable", fix_key="prices.bad_file", name=p.name,
                               error_type=type(exc).__name__) from None
    return parse_prices(text, Phrase("errors.prices.where.file", name=p.name))


def with_prices(snapshot: Snapshot, prices: dict[str, dict] | None, source: str = "--prices") -> Snapshot:
    """The snapshot with a ``prices`` section (a shallow copy; the original is left as it was)."""
    if prices is None:
        return snapshot
    out = snapshot.sharing_copy()  # the rows shared: a copy of them made every Table a list of dicts (slow evaluate)
    out.sections["prices"] = Section("prices", COMPLETE, dict(prices), endpoint=source, count=len(prices))
    return out
