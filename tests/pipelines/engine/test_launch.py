"""Running a spec from Python: a spec path with --set-style overrides, as `eurocurate run` takes them."""

import pytest

from eurocurate.config import load_spec
from eurocurate.pipelines.engine.launch import run_spec
from eurocurate.pipelines.engine.runner import InputError
from tests.conftest import robots_of, write_spec


def test_run_spec_from_a_path_resumes_a_finished_run_and_returns_its_manifest(run_copy, demo_inputs, tmp_path):
    spec = write_spec(tmp_path / "s.yaml", robots=robots_of(demo_inputs))
    overrides = ["execution.executor=local", "execution.workers=1"]
    manifest = run_spec(spec, [demo_inputs], run_copy, overrides=overrides)
    assert manifest.pipeline == load_spec(spec).name and manifest.totals.kept > 0


def test_run_spec_names_a_missing_input(tmp_path):
    spec = write_spec(tmp_path / "s.yaml", executor="local", workers=1)
    with pytest.raises(InputError, match="does not exist"):
        run_spec(spec, [tmp_path / "nope"], tmp_path / "out")
    with pytest.raises(ValueError, match="overrides apply"):
        run_spec(load_spec(spec), [tmp_path], tmp_path / "out", overrides=["execution.workers=2"])


def test_run_spec_refuses_an_unknown_executor_before_anything_is_written(tmp_path):
    from eurocurate.config import SpecError

    spec = write_spec(tmp_path / "s.yaml", executor="local", workers=1)
    with pytest.raises(SpecError, match="executor 'bogus'; expected 'ray' or 'local'"):
        run_spec(spec, [tmp_path], tmp_path / "out", executor="bogus")
    assert not (tmp_path / "out").exists()
