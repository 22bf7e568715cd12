"""What the command line writes for people: visible escapes, one line per problem.

Standard output and standard error may be a terminal; whatever came from a message (a
file name, a subject, a header) goes through `visible` first, so it cannot drive it.
"""

from __future__ import annotations

import sys

# The same escapes as every face's (`export.safe_text.visible`), without loading the XML
# rules beside them.
from mailview.core.words import show_controls as visible

__all__ = ["say", "visible"]


def say(sentence: str, name: str | None = None) -> None:
    """One problem on standard error: `mailview: NAME: sentence`, escaped."""
    prefix = "mailview: " if name is None else f"mailview: {name}: "
    print(visible(prefix + sentence), file=sys.stderr)
