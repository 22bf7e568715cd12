"""`python -m mailview` runs the command line."""

import sys

from mailview.cli import main

sys.exit(main())
