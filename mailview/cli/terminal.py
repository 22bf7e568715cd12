"""What the command line writes for people: visible escapes, one line per problem.

Standard output and standard error may be a terminal; whatever came from a message (a
file name, a subject, a header) goes through `visible` first, so it cannot drive it.
"""

from __future__ import annotations

import sys

from mailview.export.safe_text import visible

__all__ = ["say", "visible"]


def say(sentence: str, name: str | None = None) -> None:
    """One problem on standard error: `mailview: NAME: sentence`, escaped."""
    prefix = "mailview: " if name is None else f"mailview: {name}: "
    print(visible(prefix + sentence), file=sys.stderr)
