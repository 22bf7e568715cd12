"""The one way mailview writes a file: atomically, and never over one of its inputs.

Strategy: a run (one command line, one export from the app) first registers every file
it reads (`Outputs.add_input`), then claims every file it will write (`claim`) before
writing any, so a refused output stops the run before anything is written. A claim is
refused when the target is an input of the run — the same resolved path, or the same
file under another name (a hard link or a bind mount: same device and inode) — or when
two outputs of the run are the same file. Each file is written beside its target under a
temporary name and renamed over it only when every byte is on disk, so a failed or
interrupted write never leaves half a file (a device or a FIFO, such as /dev/stdout, is
written in place), and a file the user asked to keep
(`overwrite=False`) is linked into place, which fails rather than replacing one that
appeared meanwhile.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from dataclasses import field
from pathlib import Path
from typing import BinaryIO

from mailview.core.record import mutable_record

_FileId = tuple[int, int]  # (st_dev, st_ino)


class WriteRefused(OSError):
    """An output the run must not write; `str(err)` is one sentence naming the file."""


@mutable_record
class Outputs:
    """The files one run reads and writes."""

    inputs: list[tuple[Path, _FileId | None]] = field(default_factory=list)
    claimed: list[tuple[Path, _FileId | None]] = field(default_factory=list)

    def add_input(self, path: str | Path) -> None:
        """A file (or folder) this run reads; '-' (standard input) is no file."""
        if str(path) == "-":
            return
        target = Path(path)
        self.inputs.append((_resolved(target), _file_id(target)))

    def is_input(self, path: str | Path) -> bool:
        """Whether `path` is one of the inputs themselves (not a file inside a folder)."""
        return self._clash(Path(path), self.inputs) is not None

    def is_output(self, path: str | Path) -> bool:
        """Whether `path` is an output this run claimed (a listing must not read it back)."""
        return self._clash(Path(path), self.claimed) is not None

    def claim(self, path: str | Path, *, overwrite: bool = True, what: str = "") -> Path:
        """Reserve `path` as an output; WriteRefused when writing it would lose a file.

        `what` names the file for the user when they did not name it themselves ("the
        Markdown report's picture"); with `overwrite=False` an existing file is refused.
        """
        target = Path(path)
        label = f"{target} ({what})" if what else str(target)
        if self._clash(target, self.inputs) is not None:
            raise WriteRefused(f"{label} is an input of this run; it is never written to.")
        if self._clash(target, self.claimed) is not None:
            raise WriteRefused(f"{label} is named as two outputs of this run.")
        if not overwrite and os.path.lexists(target):
            raise WriteRefused(f"{label} exists already; it is kept (--force replaces it).")
        if target.is_dir():
            raise WriteRefused(f"{label} is a folder, not a file.")
        self.claimed.append((_resolved(target), _file_id(target)))
        return target

    @staticmethod
    def _clash(target: Path, known: list[tuple[Path, _FileId | None]]) -> Path | None:
        resolved = _resolved(target)
        identity = _file_id(target)
        for path, other in known:
            if path == resolved or (identity is not None and identity == other):
                return path
        return None


def write_bytes(path: str | Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write `data` to `path` atomically; OSError with one sentence when it cannot."""
    with open_atomic(path, overwrite=overwrite) as stream:
        stream.write(data)


def write_text(path: str | Path, text: str, *, overwrite: bool = True) -> None:
    """Write `text` as UTF-8; a lone surrogate from an undecodable header stays visible."""
    write_bytes(path, text.encode("utf-8", "backslashreplace"), overwrite=overwrite)


@contextlib.contextmanager
def open_atomic(path: str | Path, *, overwrite: bool = True) -> Iterator[BinaryIO]:
    """A binary stream whose bytes replace `path` only when the block ends without error.

    On an exception (or Ctrl+C) the temporary file is removed and `path` is untouched.
    """
    target = Path(path)
    if _special(target):
        # /dev/stdout, /dev/null, a FIFO: written in place; renaming a file over a device
        # node would replace the device.
        with _open_special(target) as stream:
            yield stream
        return
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        # 0o666 and the umask, as any new file: the temporary's mode is the result's.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as err:
        raise OSError(f"{target} could not be written: {_reason(err)}.") from None
    try:
        with os.fdopen(descriptor, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        _commit(partial, target, overwrite=overwrite)
    except OSError as err:
        partial.unlink(missing_ok=True)
        if isinstance(err, WriteRefused):
            raise
        raise OSError(f"{target} could not be written: {_reason(err)}.") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _special(path: Path) -> bool:
    """Whether `path` exists and is not a regular file (a device, a FIFO, a socket)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@contextlib.contextmanager
def _open_special(target: Path) -> Iterator[BinaryIO]:
    try:
        stream = open(target, "wb")  # noqa: SIM115 - closed below, errors worded
    except OSError as err:
        raise OSError(f"{target} could not be written: {_reason(err)}.") from None
    try:
        with stream:
            yield stream
    except OSError as err:
        raise OSError(f"{target} could not be written: {_reason(err)}.") from None


def partial_name_of(name: str) -> bool:
    """Whether a file name is one of this module's temporary files (skipped by listings)."""
    return name.startswith(".") and name.endswith(".partial")


def _commit(partial: Path, target: Path, *, overwrite: bool) -> None:
    if overwrite:
        os.replace(partial, target)
        return
    try:
        os.link(partial, target)  # fails with EEXIST instead of replacing
    except FileExistsError:
        raise WriteRefused(f"{target} exists already; it is kept (--force replaces it).") from None
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        if os.path.lexists(target):  # no hard links here (FAT, some shares): check, rename
            raise WriteRefused(
                f"{target} exists already; it is kept (--force replaces it)."
            ) from None
        os.replace(partial, target)
        return
    partial.unlink()


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: its own absolute path names it
        return Path(os.path.abspath(path))


def _file_id(path: Path) -> _FileId | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_dev, info.st_ino)


def _reason(err: OSError) -> str:
    return (err.strerror or str(err)).lower()
