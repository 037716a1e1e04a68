"""Load Microsoft's "Product names and service plan identifiers for licensing" table.

The CSV ships inside the package (SOURCE.md beside it says where it comes from). It has a BOM, CRLF
line endings, stray tabs and non-breaking spaces inside values; everything is normalised here so
that joins against Graph's skuId / skuPartNumber / servicePlanId work.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

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


class Catalog:
    """Look-ups over the licensing table; build with ``catalog()`` (cached)."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        skus: dict[str, dict] = {}
        self._plan_names: dict[str, str] = {}
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
            self._plan_names.setdefault(plan_id, plan_name)
        self._skus = {
            sku_id: SkuInfo(sku_id, e["part"], e["name"], tuple(sorted(e["plans"].items(), key=lambda p: p[1])))
            for sku_id, e in skus.items()
        }
        self._by_part = {info.part_number.upper(): info for info in self._skus.values()}

    def __len__(self) -> int:
        return len(self._skus)

    def sku(self, sku_id: str) -> SkuInfo | None:
        return self._skus.get(sku_id.strip().lower())

    def sku_by_part_number(self, part_number: str) -> SkuInfo | None:
        return self._by_part.get(_clean_id(part_number).upper())

    def friendly_name(self, sku_id: str, part_number: str = "") -> str:
        """The product name a manager knows; falls back to the part number, then the id."""
        info = self.sku(sku_id) or (self.sku_by_part_number(part_number) if part_number else None)
        if info:
            return info.friendly_name
        return part_number or sku_id

    def plan_name(self, plan_id: str) -> str | None:
        return self._plan_names.get(plan_id.strip().lower())


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    text = resources.files("readiness.licensing").joinpath("service-plan-identifiers.csv").read_text("utf-8-sig")
    return Catalog(list(csv.DictReader(io.StringIO(text))))
