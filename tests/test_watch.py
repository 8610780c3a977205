"""``factledger watch``: every save re-checked through the cache, printing what it introduced and
resolved (as ``diff`` matches findings), until Ctrl-C."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from factledger import watch

from .conftest import edit_facts


def test_each_save_prints_what_it_introduced_and_resolved(mini: Path) -> None:
    out = io.StringIO()
    steps = [
        lambda: edit_facts(mini, "4.16億", "4.26億"),  # no longer the quote's number
        lambda: edit_facts(mini, "4.26億", "4.16億"),  # and back
    ]
    polls = 0

    def stop() -> bool:
        nonlocal polls
        polls += 1
        rechecks = out.getvalue().count("changed — checked in")
        if steps and rechecks == 2 - len(steps):
            steps.pop(0)()
        return (not steps and rechecks == 2) or polls > 5000

    assert watch.watch(mini, interval=0.01, out=out, stop=stop, notice=pytest.fail) == 0
    text = out.getvalue()
    first, second = text.split("facts/mini.yaml changed")[1:]
    assert "gate: FAIL" in first and "Introduced (" in first
    assert "provenance:m-dau-q3:value" in first and "Resolved" not in first
    assert "gate: PASS" in second and "Resolved (" in second
    assert "provenance:m-dau-q3:value" in second and "Introduced" not in second


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_the_command_watches_until_ctrl_c(mini: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "factledger.cli", "watch", "--root", str(mini),
         "--interval", "0.05"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)  # type: ignore[arg-type]
    reader.start()

    def wait_for(text: str, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while not any(text in line for line in lines):
            assert proc.poll() is None, proc.stderr.read()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, f"no {text!r} in {lines}"
            time.sleep(0.05)

    try:
        wait_for("Edit and save")
        assert lines[0].startswith(f"watching {mini}: 3 facts from 1 sources")
        edit_facts(mini, "4.16億", "4.26億")
        wait_for("changed — checked in")
        time.sleep(0.5)  # waiting for the next change: Ctrl-C stops it
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    finally:
        proc.kill()
    reader.join(timeout=10)
    assert proc.returncode == 0
    assert any("provenance:m-dau-q3:value" in line for line in lines)
    assert lines[-1] == "stopped\n"
