"""readiness.resources finds the shipped data without importlib.resources where the package is a folder on disk
(every command reads the translations through it: issue 15), and falls back to importlib.resources otherwise."""
from __future__ import annotations

import os
import subprocess
import sys
from importlib import resources

from pathlib import Path

import readiness.resources as res


def _shipped(name: str):  # noqa: ANN202 - a Traversable or a Path
    """Where the data is: the wheel's ``readiness._<name>`` package (an install, an editable one), or, when the tests
    import readiness from the source folder itself (CI: a regular install, pytest run in the checkout), the repo's
    folder, which is what data_root falls back to."""
    try:
        return resources.files(f"readiness._{name}")
    except ModuleNotFoundError:
        return None


def test_data_root_is_the_folder_importlib_resources_names() -> None:
    for name in ("reports", "playbooks"):
        want = _shipped(name)
        assert res.data_root(name) == (want if want is not None else Path(res.__file__).resolve().parent.parent / name)
    assert res.data_root("reports").joinpath("translations", "en.json").is_file()
    shipped = res.package_file("readiness.licensing", "service-plan-identifiers.json")
    assert shipped == resources.files("readiness.licensing").joinpath("service-plan-identifiers.json")
    assert shipped.read_bytes()[:1] == b"{"


def test_without_a_folder_on_disk_importlib_resources_answers(monkeypatch) -> None:
    want = {name: root for name in ("reports", "playbooks") if (root := _shipped(name)) is not None}
    isdir = os.path.isdir
    monkeypatch.setattr(res.os.path, "isdir", lambda p: False if "readiness" in str(p) or "reports" in str(p)
                        or "playbooks" in str(p) else isdir(p))
    for name, root in want.items():
        assert res.data_root(name) == root
    assert res.package_file("readiness.licensing", "SOURCE.md").read_text("utf-8").startswith("# service-plan")


def test_a_report_command_does_not_load_importlib_resources() -> None:
    code = ("import sys, readiness, readiness.cli, readiness.i18n as i; i.catalogue('de'); "
            "from readiness.licensing import catalog; catalog(); "
            "print(sorted(m for m in sys.modules if m.startswith('importlib.resources')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
