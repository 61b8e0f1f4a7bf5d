"""`import eurocurate.langid` is light: a process that only identifies does not load the pipeline stage's
dependencies, and every public name still resolves to the object its module defines."""

from __future__ import annotations

import subprocess
import sys

import pytest

# what the stage (langid.step) brings that identifying does not need: ~64 MiB of RSS and 0.3 s measured
STAGE_ONLY = ("datatrove", "pyarrow", "eurocurate.registry", "eurocurate.stage", "eurocurate.langid.step")


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_importing_the_package_and_the_identifier_leaves_the_stage_and_its_dependencies_unloaded():
    out = _run(
        "import sys\n"
        "import eurocurate.langid\n"
        "from eurocurate.langid import EuLanguageIdentifier, LangIdConfig, identify_document\n"
        "import eurocurate.langid.document, eurocurate.langid.identifier\n"
        f"print(sorted(m for m in {STAGE_ONLY!r} if m in sys.modules))\n"
    )
    assert out.strip() == "[]"


def test_every_public_name_resolves_to_its_module_object_and_the_stage_loads_when_asked_for():
    out = _run(
        "import importlib, sys\n"
        "import eurocurate.langid as langid\n"
        "assert sorted(langid.__all__) == sorted(langid._MODULE_OF)\n"
        "for name in langid.__all__:\n"
        "    value = getattr(langid, name)\n"
        "    assert value is getattr(importlib.import_module(value.__module__), name), name\n"
        "    assert name in dir(langid), name\n"
        "from eurocurate.langid import *\n"
        "print(LanguageIdentifier.__module__, 'datatrove' in sys.modules)\n"
    )
    assert out.split() == ["eurocurate.langid.step", "True"]


def test_an_unknown_name_is_an_attribute_error_naming_it():
    import eurocurate.langid as langid

    with pytest.raises(AttributeError, match="no attribute 'EuLanguageIdentifer'"):
        langid.EuLanguageIdentifer  # noqa: B018
    with pytest.raises(ImportError):
        exec("from eurocurate.langid import identify_jsonl_files", {})
