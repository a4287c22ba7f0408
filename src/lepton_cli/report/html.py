"""One self-contained HTML page per view: tables readable without JavaScript, Plotly charts
with plotly.js inlined once, nothing fetched from a network when the page is opened.

The page depends only on the view (no clock, no random ids), so the same inputs and
``SOURCE_DATE_EPOCH`` give the same bytes. Needs the extra ``html`` (Jinja2 and Plotly).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from lepton_cli import __version__
from lepton_cli.errors import UsageError

if TYPE_CHECKING:
    from lepton_cli.report.render import View

INSTALL_HINT = "pip install 'lepton-cli[html]'"


@dataclass
class Chart:
    """A Plotly figure as plain data: ``data`` (traces) and ``layout``."""

    title: str
    kind: str  # what it shows: waterfall, treemap, stacked-daily, burn-down, ...
    data: list[dict[str, Any]]
    layout: dict[str, Any] = field(default_factory=dict)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def _charts_json(charts: list[Chart]) -> str:
    figures: list[dict[str, Any]] = []
    for c in charts:
        layout: dict[str, Any] = {"margin": {"t": 20}}
        layout.update(c.layout)
        figures.append({"data": c.data, "layout": layout})
    text = json.dumps(figures, default=_plain, separators=(",", ":"), ensure_ascii=True)
    return text.replace("</", "<\\/")  # never close the script element early


@cache
def _environment() -> Any:
    try:
        import jinja2
    except ImportError as e:
        raise UsageError("--format html needs Jinja2 and Plotly", hint=INSTALL_HINT) from e
    return jinja2.Environment(
        loader=jinja2.PackageLoader("lepton_cli.report", "templates"),
        autoescape=True,  # text from inputs (names, tags) is text, never markup
        keep_trailing_newline=True,
    )


@cache
def _plotly_js() -> str:
    try:
        from plotly.offline import get_plotlyjs
    except ImportError as e:
        raise UsageError("--format html needs Plotly", hint=INSTALL_HINT) from e
    return str(get_plotlyjs()).replace("</script", "<\\/script")


def render_html(view: View) -> str:
    from markupsafe import Markup

    from lepton_cli.report.render import cell

    kind = str(view.document.get("kind", "lepton"))
    tables = [
        {"title": t.title, "columns": t.columns, "right": t.right,
         "rows": [[cell(v) for v in row] for row in t.rows]}
        for t in view.tables
    ]  # fmt: skip
    page = _environment().get_template("page.html.j2")
    return str(
        page.render(
            title=view.title or f"lepton {kind}",
            meta=f"{kind} · lepton {__version__}",
            version=__version__,
            lines=view.lines,
            tables=tables,
            charts=view.charts,
            charts_json=Markup(_charts_json(view.charts)) if view.charts else "",
            plotly_js=Markup(_plotly_js()) if view.charts else "",
        )
    )
