"""Every package folder ships; the data folders ship inside the wheel."""
from __future__ import annotations

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "readiness").rglob("__init__.py")}
    assert found <= listed, f"add to pyproject packages: {sorted(found - listed)}"


def test_licensing_table_loads_with_known_skus() -> None:
    from readiness.licensing import catalog

    cat = catalog()
    assert len(cat) > 500
    assert cat.sku("cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46").friendly_name == "Microsoft 365 Business Premium"
    assert cat.sku_by_part_number("O365_w/o Teams Bundle_M3") is not None  # U+00A0 and spaces normalised
