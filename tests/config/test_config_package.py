"""The config package: nothing shadows the standard library, and graph/ never imports config/ (no cycle)."""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "readiness"


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
    return names


def test_no_root_module_shadows_the_standard_library_secrets() -> None:
    assert not (PKG / "secrets.py").exists()
    assert not (PKG / "profiles.py").exists() and not (PKG / "connection.py").exists()
    assert (PKG / "config" / "keystore.py").exists()


def test_graph_never_imports_config_or_profiles() -> None:
    for f in sorted((PKG / "graph").rglob("*.py")):
        for name in _imported(f):
            if name.startswith(".."):
                top = name[2:].split(".")[0]
            elif name.startswith("readiness."):
                top = name.split(".")[1]
            else:
                continue
            assert top not in {"config", "profiles", "secrets", "connection"}, (f.name, name)


def test_the_standard_library_secrets_is_importable_next_to_readiness() -> None:
    import secrets

    import readiness.config.keystore  # noqa: F401

    assert hasattr(secrets, "token_urlsafe")
