"""`python -m eurocurate.cli ...`: the `eurocurate` command without its console script."""

from __future__ import annotations

import sys

from eurocurate.cli import main

sys.exit(main())
