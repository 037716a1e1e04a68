"""Find the shipped data folders (playbooks/, reports/) installed or in a source checkout.

Every command reads the translations here, so this stays light: an installed (or editable) copy is a folder on
disk, found through the package's ``__path__``; ``importlib.resources`` (about 7 ms of imports: tempfile, zipfile
...) is loaded only for a copy that is not (a zipped install) (issue 15)."""
from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path
from typing import Any


def data_root(name: str) -> Any:
    """``name`` is "playbooks" or "reports": a Traversable inside the wheel, or the repo folder."""
    try:
        package = import_module(f"readiness._{name}")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / name
    for folder in getattr(package, "__path__", ()):
        if os.path.isdir(folder):
            return Path(folder)
    from importlib import resources

    root = resources.files(package)
    if root.is_dir():
        return root
    return Path(__file__).resolve().parent.parent / name


def package_file(package: str, filename: str) -> Any:
    """A data file shipped inside ``package`` (a Path on disk, else a Traversable): read with read_text/read_bytes."""
    module = import_module(package)
    folder = os.path.dirname(getattr(module, "__file__", None) or "")
    if folder and os.path.isdir(folder):
        return Path(folder, filename)
    from importlib import resources

    return resources.files(package).joinpath(filename)
