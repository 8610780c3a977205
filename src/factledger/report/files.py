"""Report files are written atomically: a temporary file in the same folder, then a rename, so
a reader never sees a half-written report. A set of reports is staged whole before the first
rename (:func:`stage`, :func:`publish`), so an interrupted run leaves the previous set."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: renames are not serialised
    fcntl = None  # type: ignore[assignment]


class OutputError(Exception):
    """The report folder cannot be written; the message says which folder and why."""


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def ensure_folder(folder: Path) -> None:
    """Create ``folder`` if needed; :class:`OutputError` when it is a file or not writable."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{folder} is a file, not a folder") from None
    except OSError as exc:
        raise OutputError(f"cannot create {folder}: {_reason(exc)}") from None


def stage(path: Path, text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path`` (flushed to disk); return its path."""
    return stage_stream(path, lambda fh: fh.write(text))


def stage_stream(path: Path, write: Callable[[TextIO], Any]) -> Path:
    """A temporary file beside ``path`` that ``write`` streams a report into (flushed to disk);
    its path. Whatever ``write`` raises, the temporary file is gone."""
    ensure_folder(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write to {path.parent}: {_reason(exc)}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", buffering=1 << 20) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; reports are meant to be shared
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


@contextlib.contextmanager
def _renames_locked(folder: Path) -> Iterator[None]:
    """Two runs publishing into one folder at once rename their sets one after the other."""
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def publish(staged: list[tuple[Path, Path]]) -> None:
    """Rename each staged ``(temporary, final)`` file into place, in the order given."""
    try:
        for _, path in staged:  # a rename that cannot succeed fails before the first one
            if path.is_dir():
                raise OutputError(f"cannot write to {path.parent}: {path.name} is a folder")
        if staged:
            with _renames_locked(staged[0][1].parent):
                for tmp, path in staged:
                    os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write to {staged[0][1].parent}: {_reason(exc)}") from None
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


def write_atomic(path: Path, text: str) -> None:
    publish([(stage(path, text), path)])
