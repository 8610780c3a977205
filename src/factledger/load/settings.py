"""``factledger.toml``: the one optional settings file, at the corpus root.

Every key has a default, so a corpus without the file behaves exactly as documented in
``docs/settings.md``; the CLI's flags override the file. Unknown keys and wrong types are located
input problems (the run goes on with the default), never silently ignored.
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factledger.load.files import InputFileError, read_input
from factledger.model import Result, did_you_mean, input_problem

SETTINGS_FILE = "factledger.toml"
MAX_SETTINGS_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    # [report]
    base_url: str = ""  # where discrepancies.html is published; ClaimReview urls need it
    reviewer_name: str = ""  # the organisation that publishes the reviews (ClaimReview author)
    reviewer_url: str = ""
    out_dir: str = "reports"  # relative to the corpus root
    # [limits]
    max_seed_bytes: int = 10 * 1024 * 1024
    max_yaml_bytes: int = 50 * 1024 * 1024
    # [cache]
    cache_dir: str = ".factledger-cache"


# TOML table → setting names it holds, with the type each must have.
SECTIONS: dict[str, dict[str, type]] = {
    "report": {"base_url": str, "reviewer_name": str, "reviewer_url": str, "out_dir": str},
    "limits": {"max_seed_bytes": int, "max_yaml_bytes": int},
    "cache": {"cache_dir": str},
}


def load_settings(
    root: Path, overrides: dict[str, Any] | None = None
) -> tuple[Settings, list[Result]]:
    """The settings of the corpus at ``root`` (defaults when there is no file), then
    ``overrides`` (the CLI's flags; None values are not given)."""
    values: dict[str, Any] = {}
    problems: list[Result] = []
    path = root / SETTINGS_FILE

    def problem(message: str, key: str = "") -> None:
        problems.append(input_problem(SETTINGS_FILE, None, key or None, message, key=key))

    if path.exists() or path.is_symlink():  # a folder, FIFO or dangling link is said, not skipped
        try:
            raw = read_input(path, limit=MAX_SETTINGS_BYTES, root=root)
            data = tomllib.loads(raw.decode("utf-8"))
        except InputFileError as exc:
            problem(f"cannot read: {exc.message}")
            data = {}
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            problem(f"cannot read: {exc}")
            data = {}
        for section, table in data.items():
            if section not in SECTIONS or not isinstance(table, dict):
                hint = difflib.get_close_matches(section, SECTIONS, n=1)
                more = f" (did you mean [{hint[0]}]?)" if hint else ""
                problem(f"unknown section [{section}]{more}", section)
                continue
            for key, value in table.items():
                want = SECTIONS[section].get(key)
                if want is None:
                    more = did_you_mean(key, SECTIONS[section])
                    problem(f"unknown key in [{section}]{more}", f"{section}.{key}")
                elif not isinstance(value, want) or isinstance(value, bool):
                    problem(f"expected {want.__name__}, got {value!r}", f"{section}.{key}")
                elif want is int and value <= 0:
                    problem(f"must be positive, got {value}", f"{section}.{key}")
                else:
                    values[key] = value
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
    return dataclasses.replace(Settings(), **values), problems
