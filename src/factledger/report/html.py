"""The report document → one self-contained HTML page (jinja2 templates, inline CSS/JS/SVG).

The page loads nothing from the network (no CDN, fonts or images), so it works from a file,
offline; its Content-Security-Policy forbids any request.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from factledger.model import verdict_words
from factledger.report.claimreview import reviews
from factledger.report.story import build_view
from factledger.report.view import script_json, show

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,  # a typo in the template fails the tests, not the reviewer
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["show"] = show
    env.filters["script_json"] = script_json
    env.filters["verdict_words"] = verdict_words
    return env


def render(doc: dict[str, Any], *, inline_limit: int | None = None) -> str:
    """The discrepancy report as one self-contained HTML page. A corpus with more than
    ``inline_limit`` facts and results (default ``archive.INLINE_LIMIT``) is paged: see
    :mod:`factledger.report.archive`."""
    view = build_view(doc, inline_limit=inline_limit)
    view["claimreview"] = reviews(doc)
    # our own files, inlined verbatim (not as templates: JS braces are not Jinja syntax)
    view["css"] = Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))
    view["js"] = Markup((TEMPLATES / "report.js").read_text(encoding="utf-8"))
    return _env().get_template("report.html.j2").render(**view)
