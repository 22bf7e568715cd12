"""Where the bundled runtime assets (sample messages, later icons and styles) live.

An installed wheel carries them inside the package (`mailview/resources`); a source
checkout or an editable install finds them at the repository's top level.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SAMPLE_NAME = "sample-phish.eml"


def resources_dir() -> Path:
    packaged = Path(str(resources.files("mailview"))) / "resources"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "resources"


def sample_message() -> Path:
    """The sample message `mailview analyze --sample` opens."""
    return resources_dir() / "samples" / SAMPLE_NAME
