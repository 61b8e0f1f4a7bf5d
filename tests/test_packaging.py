"""pyproject.toml names every package by hand (the source folders are not laid out under eurocurate/): a package
missing there works in the editable install the tests use and is absent from a built wheel."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_NOT_SHIPPED = {"tests", "build", "out", ".venv", "node_modules"}


def test_every_source_package_is_in_the_wheel():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    folders = {Path(folder): name for name, folder in setuptools["package-dir"].items()}
    found = {
        init.parent.relative_to(ROOT)
        for init in ROOT.rglob("__init__.py")
        if not (set(init.relative_to(ROOT).parts) & _NOT_SHIPPED)
        and not any(part.startswith(".") or part.endswith(".egg-info") for part in init.relative_to(ROOT).parts)
    }
    assert found, "no package found: the test looks in the wrong place"
    unmapped = sorted(str(f) for f in found if f not in folders)
    assert not unmapped, f"packages missing from [tool.setuptools] package-dir in pyproject.toml: {unmapped}"
    unlisted = sorted(folders[f] for f in found if folders[f] not in setuptools["packages"])
    assert not unlisted, f"packages missing from [tool.setuptools] packages in pyproject.toml: {unlisted}"
