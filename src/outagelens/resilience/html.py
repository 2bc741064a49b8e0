"""Self-contained HTML resilience report with an inline SVG chart (no network needed)."""

from __future__ import annotations

import io
import math
from pathlib import Path

import jinja2
from markupsafe import Markup

from outagelens.resilience.report import ResilienceReport, report_to_json

TEMPLATES = Path(__file__).parent / "templates"


def spof_chart_svg(report: ResilienceReport, top: int = 15) -> str:
    """Horizontal bar chart of the top SPOFs by customers affected, as an SVG string."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    ranks = list(report.components.ranking[:top])[::-1]
    height = 1.2 + 0.35 * max(len(ranks), 1)
    fig, ax = plt.subplots(figsize=(8, height))
    if ranks:
        colors = ["#c0392b" if r.shared else "#7f8c8d" for r in ranks]
        ax.barh([r.entity for r in ranks], [len(r.customers) for r in ranks], color=colors)
        ax.set_xlabel("customers taken down (red: shared by two or more)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        ax.text(0.5, 0.5, "no single points of failure", ha="center", va="center")
        ax.set_axis_off()
    ax.set_title("Single points of failure by customers affected")
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]


def _fmt_minutes(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isinf(value)):
        return "unbounded"
    return f"{value:g}"


def render_html(report: ResilienceReport, limit: int = 200) -> str:
    """The full report as one HTML page; long tables show `limit` rows (the JSON has all)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["minutes"] = _fmt_minutes
    template = env.get_template("resilience.html.j2")
    return template.render(
        doc=report_to_json(report),
        limit=limit,
        chart=Markup(spof_chart_svg(report)),  # our own SVG, from matplotlib
    )


def write_html(report: ResilienceReport, path: str | Path) -> Path:
    """Write the HTML report to `path` and return it."""
    out = Path(path)
    out.write_text(render_html(report), encoding="utf-8")
    return out
