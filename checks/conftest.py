"""pytest face of factledger for this corpus: `pytest checks/`."""

from pathlib import Path

from factledger.pytest_plugin import pytest_collect_file, pytest_sessionfinish, set_root

set_root(Path(__file__).resolve().parent.parent)

__all__ = ["pytest_collect_file", "pytest_sessionfinish"]
