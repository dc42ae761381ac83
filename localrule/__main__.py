"""``python -m localrule``: see :mod:`localrule.cli`."""

import sys

from localrule.cli import main

sys.exit(main())
