"""docs/library.md stays true: its Python examples run, in order, on a demo corpus laid out as `make demo` lays it."""

import re
from pathlib import Path

import pytest

from tests.conftest import robots_of

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_every_python_example_of_the_library_guide_runs(demo_inputs, tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "demo").symlink_to(demo_inputs)
    (tmp_path / "data" / "demo-robots").symlink_to(robots_of(demo_inputs))
    (tmp_path / "pipelines").symlink_to(REPO / "pipelines")
    monkeypatch.chdir(tmp_path)
    guide = (REPO / "docs" / "library.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", guide, re.S)
    assert len(blocks) >= 8
    code = "\n".join(blocks).replace("/tmp/", f"{tmp_path}/")
    exec(compile(code, "docs/library.md", "exec"), {})
    assert (tmp_path / "out" / "lib" / "croissant.json").is_file() and (tmp_path / "redacted.jsonl").is_file()
