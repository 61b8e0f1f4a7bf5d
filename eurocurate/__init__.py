"""eurocurate: curation of European web and public-sector documents into auditable training shards.

This package is the spine: document metadata keys and reason codes (`schema`), pipeline spec models
(`config`), the stage registry (`registry`), the stage base class (`stage`) and the CLI (`cli`).
The stages themselves live in the sub-packages `pipelines`, `langid`, `filters`, `dedup`,
`manifests` and `tools`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("eurocurate")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
