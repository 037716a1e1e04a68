"""Imports point one way and never in a circle; nothing below cli/ prints or imports click.

cli -> api (readiness/__init__, api/, aio) -> render | playbook | audit -> checks -> collect -> graph
The module import graph is computed statically with ast from every file of the package, root modules
included; imports inside functions count (a lazy import is still a dependency), imports under
``if TYPE_CHECKING:`` do not (they never run).
"""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "readiness"
NETWORK = {"httpx", "msgraph", "msgraph_core", "kiota_abstractions", "kiota_http", "azure"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@lru_cache(maxsize=None)
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skip


@lru_cache(maxsize=None)
def _imports(module: str) -> frozenset[str]:
    """Every name a module imports, absolute: readiness modules resolved, third-party names as written."""
    path = _modules()[module]
    tree = ast.parse(path.read_text("utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    skip = _type_checking_nodes(tree)
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.add(sub if sub in _modules() else base)
    return frozenset(out)


def _internal(module: str) -> set[str]:
    return {m for m in _imports(module) if m in _modules() and m != module}


def _layer(module: str) -> str:
    """The first part below readiness (the package, or the root module's name)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_graph_sees_relative_and_lazy_imports() -> None:
    # guards the test itself: a graph that misses imports would find no cycles and no violations
    assert "readiness.audit.facts" in _internal("readiness.audit.matrix")
    assert "readiness.checks.registry" in _internal("readiness.audit.evaluate")
    assert any(m.startswith("readiness.api") for m in _internal("readiness.cli.audit")) or \
        "readiness" in _imports("readiness.cli.audit")
    assert sum(len(_internal(m)) for m in _modules()) > 200


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), i.e. the import cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def test_the_cycle_check_would_catch_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


# Being removed in parallel work on issue 9 (the playbook rewrite; the config/ package). Each entry must
# still exist: when the fix lands this test fails until the entry is deleted, so the list cannot rot.
CYCLES_BEING_REMOVED: list[list[str]] = []
STDLIB_SHADOWS_BEING_REMOVED: set[str] = set()


def test_no_import_cycles_anywhere_in_the_package() -> None:
    cycles = _cycles({m: _internal(m) for m in _modules()})
    assert cycles == CYCLES_BEING_REMOVED, "import cycles (or a fixed one still listed in CYCLES_BEING_REMOVED)"


# what each layer (package or root module) must never import
FORBIDDEN = {
    "graph": {"collect", "checks", "audit", "render", "playbook", "cli", "api", "aio", "simulator"},
    "collect": {"checks", "audit", "render", "playbook", "cli", "api", "aio", "simulator"},
    "checks": {"render", "playbook", "cli", "api", "aio", "simulator", "graph"},
    "audit": {"render", "playbook", "cli", "api", "aio", "simulator", "graph"},
    "render": {"checks", "collect", "cli", "api", "aio", "simulator"},
    "playbook": {"render", "cli", "api", "aio"},
    "licensing": {"graph", "collect", "checks", "audit", "render", "playbook", "cli", "api", "aio", "simulator"},
    "simulator": {"graph", "collect", "checks", "audit", "render", "playbook", "cli", "api", "aio"},
    "api": {"cli"},
    "aio": {"cli"},
    # root modules everything else builds on
    "errors": {"*"}, "exitcodes": {"*"}, "resources": {"*"}, "paths": {"*"}, "safe_io": {"*"},
}
FOUNDATION = {"errors", "exitcodes", "resources", "paths", "safe_io"}


def test_each_layer_imports_only_downwards() -> None:
    problems = []
    for module in _modules():
        layer = _layer(module)
        forbidden = FORBIDDEN.get(layer, set())
        for target in _internal(module):
            t = _layer(target)
            if t == layer or not t:
                continue
            if "*" in forbidden and t not in FOUNDATION:
                problems.append((module, target))
            elif t in forbidden:
                problems.append((module, target))
    assert problems == []


def test_audit_never_imports_render_and_render_never_imports_checks_facts_or_snapshot() -> None:
    for module in _modules():
        targets = _internal(module)
        if _layer(module) == "audit":
            assert not {t for t in targets if _layer(t) == "render"}, module
        if _layer(module) == "render":
            bad = {t for t in targets if _layer(t) in ("checks", "collect") or t == "readiness.audit.facts"}
            assert not bad, (module, bad)


def test_checks_audit_render_never_touch_the_network_or_click() -> None:
    for module in _modules():
        if _layer(module) in ("checks", "audit", "render", "licensing"):
            bad = {i for i in _imports(module) if i.split(".")[0] in NETWORK | {"click"}}
            assert not bad, (module, bad)


def test_only_cli_imports_click_and_nothing_below_cli_prints() -> None:
    for module, path in _modules().items():
        if _layer(module) == "cli":
            continue
        assert "click" not in {i.split(".")[0] for i in _imports(module)}, module
        tree = ast.parse(path.read_text("utf-8"))
        prints = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"]
        assert not prints, module


def test_no_command_imports_another_and_commands_reach_the_library_through_the_api() -> None:
    commands = {m for m in _modules() if _layer(m) == "cli"} - {"readiness.cli", "readiness.cli.context", "readiness.cli.options", "readiness.cli.announce", "readiness.cli.helptext"}  # shared machinery, not commands
    for module in commands:
        assert not (_internal(module) & commands), module
    for name in ("audit", "demo", "report", "checks", "simulator"):
        module = f"readiness.cli.{name}"
        reached = {_layer(t) for t in _internal(module)}
        assert not reached & {"collect", "graph", "audit", "playbook", "simulator"} - ({"simulator"} if name == "simulator" else set()), \
            (module, reached)


def test_nothing_shadows_the_standard_library() -> None:
    import sys

    names = {m.split(".")[-1] for m in _modules()} - {"readiness", "__main__"}
    assert names & set(sys.stdlib_module_names) == STDLIB_SHADOWS_BEING_REMOVED


# The CLI is a thin client of `import readiness` (issue 9): a command module reaches the library through the
# package itself and imports below it only what is the CLI's own job or the foundation every layer uses:
# - readiness.cli: the CLI's machinery (context, options, helptext, announce);
# - readiness.render: turning a result into text is the "render" of "parse, call, render, emit";
# - readiness.i18n, readiness.errors, readiness.exitcodes: the words, the error tree and the exit codes it says;
# - readiness.config.connection: resolving --tenant/--graph-url into a Connection is option parsing;
# - readiness.safe_io: emit() writes --out through the one private writer (0600, atomic; /dev/stdout written into).
CLI_MAY_IMPORT = ("readiness.cli", "readiness.render", "readiness.i18n", "readiness.errors", "readiness.exitcodes",
                  "readiness.config.connection", "readiness.safe_io")


def test_cli_modules_reach_the_library_only_through_import_readiness() -> None:
    below = {m: {t for t in _internal(m) if t != "readiness" and not t.startswith(CLI_MAY_IMPORT)}
             for m in _modules() if _layer(m) == "cli"}
    assert {m: b for m, b in below.items() if b} == {}
    # every command uses the package itself
    for name in ("audit", "demo", "fleet", "playbook", "simulator", "tenant", "tenant_fleet"):
        assert "readiness" in _imports(f"readiness.cli.{name}"), name


def test_the_thin_cli_check_would_catch_a_command_reaching_past_the_api() -> None:
    # guards the test above: the same filter applied to an API module (which may reach internals) finds its lazy
    # imports of the playbook engine, so a command doing the same would be caught
    reached = {t for t in _internal("readiness.api.playbooks") if t != "readiness" and not t.startswith(CLI_MAY_IMPORT)}
    assert {"readiness.playbook.runs", "readiness.playbook.service"} <= reached
