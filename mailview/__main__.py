"""`python -m mailview` runs the command line."""

import sys

from mailview.cli import main

# The guard matters: the app's queue starts worker processes by "spawn", which imports
# the main module again in each worker; without it every worker would run the CLI.
if __name__ == "__main__":
    sys.exit(main())
