"""The shipped compact licensing table (service-plan-identifiers.json, loaded by every audit instead of parsing the
1.1 MB CSV, issue 15) says exactly what the CSV says."""
from __future__ import annotations

import csv
import io
import re
from importlib import resources

from readiness.licensing import catalog
from readiness.licensing.catalog import COMPACT_NAME, Catalog, SkuInfo, compact_json, csv_rows

_SPACE = re.compile(r"[\s\u00a0]+")


def _clean(value: str) -> str:
    return _SPACE.sub(" ", value.replace("\u00a0", " ")).strip()


def _clean_id(value: str) -> str:
    return _SPACE.sub("_", re.sub(r"_ +| +_", "_", _clean(value)))


def _reference() -> tuple[dict[str, SkuInfo], dict[str, str]]:
    """The catalogue read straight from the CSV, the way it was read before the compact form shipped."""
    text = resources.files("readiness.licensing").joinpath("service-plan-identifiers.csv").read_text("utf-8-sig")
    skus: dict[str, dict] = {}
    plan_names: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(text)):
        sku_id = row["GUID"].strip().lower()
        entry = skus.setdefault(sku_id, {"part": _clean_id(row["String_Id"]),
                                         "name": _clean(row["Product_Display_Name"]), "plans": {}})
        plan_id = row["Service_Plan_Id"].strip().lower()
        entry["plans"][plan_id] = _clean_id(row["Service_Plan_Name"])
        plan_names.setdefault(plan_id, entry["plans"][plan_id])
    infos = {sku_id: SkuInfo(sku_id, e["part"], e["name"], tuple(sorted(e["plans"].items(), key=lambda p: p[1])))
             for sku_id, e in skus.items()}
    return infos, plan_names


def test_shipped_json_is_made_from_the_shipped_csv() -> None:
    shipped = resources.files("readiness.licensing").joinpath(COMPACT_NAME).read_text("utf-8")
    assert shipped == compact_json(csv_rows()), "the CSV changed: run python -m readiness.licensing.build"


def test_catalogue_from_the_json_equals_the_csv_read_directly() -> None:
    infos, plan_names = _reference()
    cat = catalog()
    assert len(cat) == len(infos) == 610
    assert [info.sku_id for info in cat.skus()] == list(infos)  # every SKU, in the table's order
    for sku_id, info in infos.items():
        assert cat.sku(sku_id) == info
        assert cat.sku(f" {sku_id.upper()} ") == info
        assert cat.friendly_name(sku_id) == info.friendly_name
    by_part = {info.part_number.upper(): info for info in infos.values()}  # a later SKU with the same part wins
    for part, info in by_part.items():
        assert cat.sku_by_part_number(part.lower()) == info
    for plan_id, name in plan_names.items():
        assert cat.plan_name(plan_id.upper()) == name
    assert Catalog(csv_rows()).skus() == cat.skus()


def test_unknown_skus_and_plans_fall_back() -> None:
    cat = catalog()
    assert cat.sku("00000000-0000-0000-0000-000000000000") is None
    assert cat.sku_by_part_number("NO_SUCH_PART") is None
    assert cat.plan_name("00000000-0000-0000-0000-000000000000") is None
    assert cat.friendly_name("00000000-0000-0000-0000-000000000000", "NO_SUCH_PART") == "NO_SUCH_PART"
    assert cat.friendly_name("00000000-0000-0000-0000-000000000000") == "00000000-0000-0000-0000-000000000000"
    info = cat.sku("cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46")
    assert info is not None and cat.sku("CBDC14AB-D96C-4C30-B9F4-6ADA7CDC1D46") is info  # made once, then kept
    assert info.friendly_name == "Microsoft 365 Business Premium"
    assert ("57ff2da0-773e-42df-b2af-ffb7a2317929", "TEAMS1") in info.plans
