"""The analyst's marks and notes, kept beside the settings and keyed by message SHA-256.

Never in the input: a reported message is evidence. One JSON file, rewritten whole and
atomically (a temporary file renamed over it), so a crash leaves the old marks or the
new ones, never half of them.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from mailview.gui.settings import config_dir

FILE_NAME = "marks.json"
MARKS = ("malicious", "benign", "unsure")


class MarkStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / FILE_NAME
        self._marks: dict[str, dict[str, str]] = self._read()

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # no file yet, or a damaged one: start afresh rather than fail
        if not isinstance(data, dict):
            return {}
        return {
            str(sha): {str(k): str(v) for k, v in entry.items()}
            for sha, entry in data.items()
            if isinstance(entry, dict)
        }

    def get(self, sha256: str) -> tuple[str, str]:
        """(mark, note); ("", "") when unmarked."""
        entry = self._marks.get(sha256, {})
        return entry.get("mark", ""), entry.get("note", "")

    def set(self, sha256: str, mark: str | None = None, note: str | None = None) -> None:
        """Change the mark (None keeps it, "" clears it) and/or the note, and save."""
        entry = dict(self._marks.get(sha256, {}))
        if mark is not None:
            if mark and mark not in MARKS:
                raise ValueError(f"unknown mark {mark!r}")
            entry["mark"] = mark
        if note is not None:
            entry["note"] = note
        entry["at"] = datetime.now(UTC).isoformat(timespec="seconds")
        if not entry.get("mark") and not entry.get("note"):
            self._marks.pop(sha256, None)
        else:
            self._marks[sha256] = entry
        self.save()

    def all(self) -> dict[str, tuple[str, str]]:
        return {sha: self.get(sha) for sha in self._marks}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".marks-", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(self._marks, out, indent=1, sort_keys=True)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
