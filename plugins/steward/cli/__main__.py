"""``python -m steward.cli``: the ``steward`` command."""

import sys

from steward.cli._main import main

sys.exit(main())
