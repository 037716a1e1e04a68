"""Imports point one way (cli -> render/playbook/scoring/checks -> collect -> graph); no printing below cli/."""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "readiness"
NETWORK = {"httpx", "msgraph", "msgraph_core", "kiota_abstractions", "kiota_http", "azure"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ("." * node.level) + (node.module or "")
            names.add(base)
    return names


def _files(*parts: str) -> list[Path]:
    out = []
    for part in parts:
        p = PKG / part
        out += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    return out


def test_checks_scoring_render_never_touch_the_network_or_click() -> None:
    for f in _files("checks", "audit", "render"):
        bad = {i for i in _imports(f) if i.split(".")[0] in NETWORK | {"click"}}
        assert not bad, (f.relative_to(PKG), bad)


def test_only_cli_imports_click_and_nothing_below_cli_prints() -> None:
    for f in _files("."):
        rel = f.relative_to(PKG)
        if rel.parts[0] == "cli":
            continue
        assert "click" not in {i.split(".")[0] for i in _imports(f)}, rel
        tree = ast.parse(f.read_text("utf-8"))
        prints = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
        assert not prints, rel


def test_lower_layers_do_not_import_upper_ones() -> None:
    upper = {"graph": ("collect", "checks", "render", "playbook", "cli"), "collect": ("checks", "render", "playbook", "cli"),
             "checks": ("render", "playbook", "cli"), "render": ("cli",), "playbook": ("cli",)}
    for layer, forbidden in upper.items():
        for f in _files(layer):
            for name in _imports(f):
                stripped = name.lstrip(".")
                top = stripped.split(".")[0] if name.startswith("..") or name.startswith("readiness") else ""
                if name.startswith("readiness."):
                    top = stripped.split(".")[1]
                assert top not in forbidden, (f.relative_to(PKG), name)
