"""Load Microsoft's "Product names and service plan identifiers for licensing" table.

The CSV ships inside the package (SOURCE.md beside it says where it comes from). It has a BOM, CRLF
line endings, stray tabs and non-breaking spaces inside values; everything is normalised here so
that joins against Graph's skuId / skuPartNumber / servicePlanId work.

Every process that evaluates an audit needs the table, and parsing and cleaning the 1.1 MB CSV cost
40-50 ms per process (issue 15). So the package also ships ``service-plan-identifiers.json``: the same
table already cleaned, in a compact form (each distinct plan once, SKUs pointing at them), which loads
in a few milliseconds; SKUs become ``SkuInfo`` objects only when asked for. The JSON is made from the
CSV by ``python -m readiness.licensing.build`` and a test checks that both give the same catalogue.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping

from ..resources import package_file

CSV_NAME = "service-plan-identifiers.csv"
COMPACT_NAME = "service-plan-identifiers.json"
COMPACT_FORMAT = 1

_SPACE = re.compile(r"[\s\u00a0]+")


def _clean(value: str) -> str:
    return _SPACE.sub(" ", value.replace("\u00a0", " ")).strip()


def _clean_id(value: str) -> str:
    """String_Id and plan names: no inner whitespace survives in Graph's spelling."""
    text = re.sub(r"_ +| +_", "_", _clean(value))
    return _SPACE.sub("_", text)


@dataclass(frozen=True)
class SkuInfo:
    sku_id: str
    part_number: str
    friendly_name: str
    plans: tuple[tuple[str, str], ...] = field(default=())  # (servicePlanId, servicePlanName)


def compact_table(rows: Iterable[Mapping[str, str]]) -> dict[str, Any]:
    """The licensing table's rows (as ``csv.DictReader`` gives them), cleaned, in the compact shipped form:
    ``plans`` lists each distinct (servicePlanId, servicePlanName) pair once, in the order the table first
    names it; ``skus`` lists [skuId, part number, friendly name, [index into plans, ...]] with each SKU's
    plans sorted by name (for a plan the table names twice in one SKU, the later name counts)."""
    skus: dict[str, dict] = {}
    plans: dict[tuple[str, str], int] = {}
    ids: dict[str, str] = {}  # each distinct raw value cleaned once: 5,800 rows hold about 2,000 (issue 15)
    for row in rows:
        sku_id = row["GUID"].strip().lower()
        entry = skus.get(sku_id)
        if entry is None:
            entry = skus[sku_id] = {"part": _clean_id(row["String_Id"]), "name": _clean(row["Product_Display_Name"]),
                                    "plans": {}}
        plan_id = row["Service_Plan_Id"].strip().lower()
        raw = row["Service_Plan_Name"]
        plan_name = ids.get(raw)
        if plan_name is None:
            plan_name = ids[raw] = _clean_id(raw)
        entry["plans"][plan_id] = plan_name
        plans.setdefault((plan_id, plan_name), len(plans))
    return {
        "format": COMPACT_FORMAT,
        "plans": [list(pair) for pair in plans],
        "skus": [[sku_id, e["part"], e["name"], [plans[p] for p in sorted(e["plans"].items(), key=lambda p: p[1])]]
                 for sku_id, e in skus.items()],
    }


class Catalog:
    """Look-ups over the licensing table; build with ``catalog()`` (cached)."""

    def __init__(self, rows: Iterable[Mapping[str, str]]) -> None:
        self._load(compact_table(rows))

    @classmethod
    def from_compact(cls, table: Mapping[str, Any]) -> Catalog:
        """A catalogue from the compact form ``compact_table`` makes (the shipped JSON)."""
        self = cls.__new__(cls)
        self._load(table)
        return self

    def _load(self, table: Mapping[str, Any]) -> None:
        if table.get("format") != COMPACT_FORMAT:
            raise ValueError(f"licensing table format {table.get('format')!r}, expected {COMPACT_FORMAT}")
        self._plans: list[tuple[str, str]] = [(pid, name) for pid, name in table["plans"]]
        self._plan_names: dict[str, str] = {}
        for plan_id, plan_name in self._plans:  # first name the table gives a plan, as before
            self._plan_names.setdefault(plan_id, plan_name)
        self._raw: dict[str, list] = {entry[0]: entry for entry in table["skus"]}
        self._skus: dict[str, SkuInfo] = {}  # SkuInfo made on first look-up: a report asks for a handful of 610
        self._by_part = {entry[1].upper(): entry[0] for entry in table["skus"]}

    def __len__(self) -> int:
        return len(self._raw)

    def _info(self, sku_id: str) -> SkuInfo | None:
        info = self._skus.get(sku_id)
        if info is None:
            entry = self._raw.get(sku_id)
            if entry is None:
                return None
            plans = self._plans
            info = self._skus[sku_id] = SkuInfo(entry[0], entry[1], entry[2], tuple(plans[i] for i in entry[3]))
        return info

    def sku(self, sku_id: str) -> SkuInfo | None:
        return self._info(sku_id.strip().lower())

    def sku_by_part_number(self, part_number: str) -> SkuInfo | None:
        sku_id = self._by_part.get(_clean_id(part_number).upper())
        return self._info(sku_id) if sku_id is not None else None

    def friendly_name(self, sku_id: str, part_number: str = "") -> str:
        """The product name a manager knows; falls back to the part number, then the id."""
        info = self.sku(sku_id) or (self.sku_by_part_number(part_number) if part_number else None)
        if info:
            return info.friendly_name
        return part_number or sku_id

    def plan_name(self, plan_id: str) -> str | None:
        return self._plan_names.get(plan_id.strip().lower())

    def skus(self) -> list[SkuInfo]:
        """Every SKU in the table, in the table's order."""
        return [info for sku_id in self._raw if (info := self._info(sku_id)) is not None]


def csv_rows() -> list[dict[str, str]]:
    """The shipped CSV's rows (the source of the compact JSON; the tests and the generator read it)."""
    text = package_file(__package__, CSV_NAME).read_text("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def compact_json(rows: Iterable[Mapping[str, str]]) -> str:
    """The text of the shipped JSON for these rows (one SKU per line, so that a change reads as a diff)."""
    table = compact_table(rows)
    dump = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
    lines = [f'{{"format":{table["format"]},', '"plans":[', ",\n".join(dump(p) for p in table["plans"]), "],",
             '"skus":[', ",\n".join(dump(s) for s in table["skus"]), "]}"]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    text = package_file(__package__, COMPACT_NAME).read_text("utf-8")
    return Catalog.from_compact(json.loads(text))

