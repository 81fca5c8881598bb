"""Atomic output: a file is either written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from neuroseq.errors import NeuroseqError, Problem, SourceLocation

__all__ = ["OutputError", "write_atomic"]


class OutputError(NeuroseqError):
    """An output file could not be written."""

    stage = "output"


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(
            [Problem(SourceLocation(str(path)), "", f"the folder '{folder}' does not exist")]
        )
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise OutputError(
            [Problem(SourceLocation(str(path)), "", f"cannot write: {exc.strerror}")]
        ) from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
