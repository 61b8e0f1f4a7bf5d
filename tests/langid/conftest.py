from __future__ import annotations

import pytest

from eurocurate.langid.identifier import EuLanguageIdentifier


@pytest.fixture(scope="session")
def identifier() -> EuLanguageIdentifier:
    return EuLanguageIdentifier()
