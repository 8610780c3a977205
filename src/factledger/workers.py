"""A function run in a forked worker process beside the caller: how a run uses a second core.

A forked child starts with the caller's memory as it is (the loaded corpus, the outcome), so
nothing is sent to it; only what the function returns comes back, pickled through a pipe. An
exception in the worker is raised again by :meth:`Worker.result`, with the worker's traceback as a
note; a worker that dies without answering (killed, out of memory) raises :class:`WorkerDied`.

Fork is used only where it is safe and worth it: Linux (macOS forks unsafely once system
frameworks are loaded; Windows has no fork) with more than one core. ``FACTLEDGER_WORKERS=0``
turns it off. Elsewhere callers run the same function in-process, with the same result.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class WorkerDied(RuntimeError):
    """The worker exited without an answer."""


def available() -> bool:
    """Whether a worker process can run beside this one."""
    if os.environ.get("FACTLEDGER_WORKERS", "").strip() == "0":
        return False
    return sys.platform.startswith("linux") and hasattr(os, "fork") and (os.cpu_count() or 1) > 1


class Worker(Generic[T]):
    """``fn()`` started in a forked child; :meth:`result` waits for what it returned."""

    def __init__(self, fn: Callable[[], T]) -> None:
        for stream in (sys.stdout, sys.stderr):  # nothing buffered twice
            stream.flush()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child; its answer is what the tests check
            os.close(read)
            _answer(write, fn)
        os.close(write)
        self.pid = pid
        self._read = read
        self._done = False

    def result(self) -> T:
        if self._done:
            raise RuntimeError("a worker's result is read once")
        self._done = True
        with os.fdopen(self._read, "rb") as fh:
            try:
                ok, value = pickle.load(fh)
            except (EOFError, pickle.UnpicklingError):
                ok, value = None, None
        _, status = os.waitpid(self.pid, 0)
        if ok is None:
            raise WorkerDied(f"worker {self.pid} exited ({os.waitstatus_to_exitcode(status)}) "
                             "without an answer")  # fmt: skip
        if ok:
            return value
        raise value

    def __del__(self) -> None:
        if not self._done:  # never read: do not leave a zombie or a blocked child
            self._done = True
            os.close(self._read)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)


def _answer(fd: int, fn: Callable[[], Any]) -> None:  # pragma: no cover - runs in the child
    code = 0
    try:
        try:
            answer: tuple[bool, Any] = (True, fn())
        except BaseException as exc:  # the caller raises it again
            exc.add_note(f"in worker process {os.getpid()}:\n{traceback.format_exc()}")
            answer = (False, exc)
        try:
            blob = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
            if not answer[0]:
                pickle.loads(blob)  # an exception that cannot be rebuilt: send its text instead
        except Exception:
            text = (
                traceback.format_exc()
                if answer[0]
                else "".join(traceback.format_exception(answer[1]))
            )
            blob = pickle.dumps((False, RuntimeError(f"worker {os.getpid()} failed:\n{text}")))
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # never return into the caller's code (a test runner, the CLI)
