"""docs/architecture.md matches the tree: every package, root module and command file is named there.

Regression (verify9): the page listed 7 of the 13 files in cli/ and left out config/, crisis/ and four root modules."""
from __future__ import annotations

from pathlib import Path

import readiness

PKG = Path(readiness.__file__).parent
DOC = (PKG.parent / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_every_package_and_root_module_is_named() -> None:
    packages = [p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    roots = [p.name for p in PKG.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    missing = [f"{n}/" for n in packages if f"`{n}/`" not in DOC] + [n for n in roots if f"`{n}`" not in DOC]
    assert packages and roots
    assert not missing, f"docs/architecture.md does not say where these live: {missing}"


def test_every_cli_file_is_named() -> None:
    files = [p.stem for p in (PKG / "cli").glob("*.py") if p.stem != "__init__"]
    cli_row = next(line for line in DOC.splitlines() if line.startswith("| `cli/` |"))
    missing = [f for f in files if f"`{f}`" not in cli_row]
    assert not missing, f"the cli/ row of docs/architecture.md leaves out: {missing}"
