"""Atomic output: a file is either written whole or not at all.

Reports hold case data about children, so a new output file is created
readable by its owner only (0600); an existing file keeps its own mode. The
text goes to a temporary file beside the target, which is renamed over it;
the temporary file is removed when writing fails or the process is
interrupted (SIGINT) or asked to stop (SIGTERM) meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from neuroseq.errors import NeuroseqError, Problem, SourceLocation

__all__ = ["NEW_FILE_MODE", "OutputError", "write_atomic"]

NEW_FILE_MODE = 0o600
"""Permissions of a newly created output file: its owner may read and write it, nobody else."""


class OutputError(NeuroseqError):
    """An output file could not be written."""

    stage = "output"


def _fail(path: Path, message: str) -> OutputError:
    return OutputError([Problem(SourceLocation(str(path)), "", message)])


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """While writing, turn SIGTERM into SystemExit so ``finally`` blocks run and clean up.

    Only the main thread can set signal handlers; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename.

    Only regular files are written: an existing device, pipe or folder at
    ``path`` is refused, and a symbolic link is followed to the file it names,
    so the link itself survives. A new file is created with mode 0600
    (:data:`NEW_FILE_MODE`); a file that exists keeps its mode.
    """
    target = path
    try:
        if target.is_symlink():
            target = Path(os.path.realpath(target))
        mode: int | None = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or "not a usable file name"
        raise _fail(path, f"cannot write: {reason}") from None
    if mode is not None and not stat.S_ISREG(mode):
        raise _fail(path, "not a regular file (a folder, device or pipe); give a file name")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise _fail(path, f"the folder '{folder}' does not exist")
    final_mode = NEW_FILE_MODE if mode is None else stat.S_IMODE(mode)
    temp: str | None = None
    with _terminate_as_exit():
        try:
            fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, final_mode)
            os.replace(temp, target)
            temp = None
        except OSError as exc:
            raise _fail(path, f"cannot write: {exc.strerror or exc}") from None
        finally:
            if temp is not None:
                Path(temp).unlink(missing_ok=True)
