"""A folder is a finished run when it holds run.json; commands on runs refuse any other folder."""

import pytest

from eurocurate.manifests.audit.run_folder import NotARunError, require_finished_run


def test_a_finished_run_passes_and_an_empty_folder_is_refused_with_the_missing_file(local_run, tmp_path):
    assert require_finished_run(str(local_run)) == local_run
    with pytest.raises(NotARunError, match=r"run\.json not found: not a finished eurocurate run"):
        require_finished_run(tmp_path)
