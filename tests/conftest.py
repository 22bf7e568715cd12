"""Test-wide set-up: Qt runs on the offscreen platform, with no display needed."""

import os

# Before anything imports Qt: the GUI tests need no X server, and a developer's real
# display must not be used by accident.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")
