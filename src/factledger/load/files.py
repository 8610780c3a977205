"""Reading one input file safely: a regular file, inside the corpus, no larger than its cap.

Every file the harness reads (seeds, facts, registries, rule files, acknowledgements, settings)
comes through :func:`read_input`, which checks what the path is *before* reading: a symlink to
``/dev/zero`` would otherwise exhaust memory and a FIFO would hang the run. The checks are made on
the open file descriptor too, so a file swapped after the first look is caught.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class InputFileError(Exception):
    """A file that cannot be read as an input; ``message`` says why, without the file name."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _check(st: os.stat_result, limit: int, setting: str) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise InputFileError(f"not a regular file ({_kind(st.st_mode)})")
    if st.st_size > limit:
        raise InputFileError(f"file is {st.st_size:,} bytes, over the {limit:,}-byte cap{setting}")


def read_input(path: Path, *, limit: int, root: Path | None = None, setting: str = "") -> bytes:
    """The bytes of ``path``, or :class:`InputFileError`.

    Refused: a dangling symlink, a symlink whose target lies outside ``root`` (when given),
    anything but a regular file (a folder, FIFO, device, socket), a file over ``limit`` bytes.
    ``setting`` names the setting that raises the cap, for the message.
    """
    hint = f" ({setting} in factledger.toml)" if setting else ""
    if root is not None or path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except FileNotFoundError:
            if path.is_symlink():
                raise InputFileError(f"dangling symlink (to {os.readlink(path)})") from None
            raise InputFileError("missing file") from None
        except (OSError, RuntimeError) as exc:  # a loop of links, a folder we may not enter
            raise InputFileError(f"cannot follow the path: {exc}") from None
        # the file or a folder on its way (seeds/ itself) may be a link to elsewhere
        if root is not None and not target.is_relative_to(root.resolve()):
            raise InputFileError(f"symlink leaves the corpus folder (to {target})")
    try:
        _check(os.stat(path), limit, hint)
        # O_NONBLOCK: should a FIFO appear here after the check, open does not wait for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            _check(os.fstat(fh.fileno()), limit, hint)
            raw = fh.read(limit + 1)  # a file that grew since the check still stops at the cap
    except FileNotFoundError:
        raise InputFileError("missing file") from None
    except OSError as exc:
        raise InputFileError(f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise InputFileError(f"file is over the {limit:,}-byte cap{hint}")
    return raw
