"""Atomic output: a file is either written whole or not at all."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from neuroseq.errors import NeuroseqError, Problem, SourceLocation

__all__ = ["OutputError", "write_atomic"]


class OutputError(NeuroseqError):
    """An output file could not be written."""

    stage = "output"


def _fail(path: Path, message: str) -> OutputError:
    return OutputError([Problem(SourceLocation(str(path)), "", message)])


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename.

    Only regular files are written: an existing device, pipe or folder at
    ``path`` is refused, and a symbolic link is followed to the file it names,
    so the link itself survives. The new file gets the usual permissions
    (0666 less the umask), not the temporary file's 0600.
    """
    target = path
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise _fail(path, f"cannot write: {exc.strerror}") from None
    if mode is not None and not stat.S_ISREG(mode):
        raise _fail(path, "not a regular file (a folder, device or pipe); give a file name")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise _fail(path, f"the folder '{folder}' does not exist")
    umask = os.umask(0)
    os.umask(umask)
    temp: str | None = None
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, target)
        temp = None
    except OSError as exc:
        raise _fail(path, f"cannot write: {exc.strerror or exc}") from None
    finally:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
