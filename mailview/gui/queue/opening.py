"""When a queue opens instead of a message tab, and how a queue row's message is read again."""

from __future__ import annotations

import os
from collections.abc import Sequence

from mailview.core.errors import InputError
from mailview.core.load import read_path
from mailview.core.stream import count_messages, iter_messages


def wants_queue(paths: Sequence[str]) -> bool:
    """A folder, several files, or an mbox of several messages: a queue. One message: a tab."""
    if len(paths) > 1:
        return True
    return any(os.path.isdir(p) or count_messages(p) > 1 for p in paths)


def message_bytes(label: str) -> bytes:
    """The bytes of the message a queue row names: `PATH#N` is the N-th message of an mbox
    (read again a message at a time), anything else a whole file. InputError when gone."""
    path, hash_sign, number = label.rpartition("#")
    if not hash_sign or not number.isdigit() or not os.path.isfile(path):
        return read_path(label)
    wanted = f"{path}#{number}"
    for name, data in iter_messages(path):
        if name == wanted:
            return data
    raise InputError(f"Message {number} of {path!r} is no longer there: the file changed.")
