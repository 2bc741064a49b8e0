"""Render a `Postmortem` as Markdown (with SVG files beside it), self-contained HTML, or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from outagelens.errors import OutageLensError
from outagelens.report.model import Postmortem, Table

ReportFormat = Literal["md", "html", "pdf"]


class ReportError(OutageLensError):
    """The report could not be rendered or written."""


def _md_cell(value: object) -> str:
    """Make text safe inside a Markdown table cell."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(table: Table) -> str:
    lines = [f"**{table.title}**", "", "| " + " | ".join(table.columns) + " |"]
    lines.append("|" + "---|" * len(table.columns))
    for row in table.rows:
        lines.append("| " + " | ".join(_md_cell(c) for c in row.cells) + " |")
    if not table.rows:
        lines.append("| " + " | ".join(["none"] + [""] * (len(table.columns) - 1)) + " |")
    if table.note:
        lines += ["", f"*{table.note}*"]
    return "\n".join(lines)


def _html_table(table: Table) -> Markup:
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = (
        "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row.cells) + "</tr>"
            for row in table.rows
        )
        or f'<tr><td colspan="{len(table.columns)}">none</td></tr>'
    )
    note = f"<p><em>{escape(table.note)}</em></p>" if table.note else ""
    return Markup(
        f"<table><caption>{escape(table.title)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>{note}"
    )


def _env(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("outagelens.report", "templates"),
        autoescape=select_autoescape(["html"]) if autoescape else False,
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["md_cell"] = _md_cell
    return env


def render_markdown(pm: Postmortem, chart_dir: str = "charts") -> str:
    """Markdown text; charts are referenced as `<chart_dir>/<name>.svg`."""
    template = _env(autoescape=False).get_template("postmortem.md.j2")
    return template.render(pm=pm, table=_md_table, chart_dir=chart_dir)


def render_html(pm: Postmortem) -> str:
    """Self-contained HTML: inline CSS and inline SVG charts, no external resources."""
    template = _env(autoescape=True).get_template("postmortem.html.j2")
    return template.render(pm=pm, table=_html_table)


def render_pdf(pm: Postmortem) -> bytes:
    """PDF laid out from the HTML with WeasyPrint."""
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:  # OSError: the Pango library is missing
        raise ReportError(f"PDF output needs WeasyPrint and Pango: {exc}") from exc
    pdf = HTML(string=render_html(pm)).write_pdf()
    if not isinstance(pdf, bytes):
        raise ReportError("WeasyPrint returned no PDF")
    return pdf


def write_report(pm: Postmortem, fmt: ReportFormat, out: Path) -> list[Path]:
    """Write the report to `out` in one format; Markdown also writes its charts. Returns paths."""
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        if fmt == "html":
            out.write_text(render_html(pm), encoding="utf-8")
            return [out]
        if fmt == "pdf":
            out.write_bytes(render_pdf(pm))
            return [out]
        chart_dir = out.parent / f"{out.stem}-charts"
        chart_dir.mkdir(exist_ok=True)
        written = [out]
        for chart in pm.charts:
            path = chart_dir / f"{chart.name}.svg"
            path.write_text(chart.svg, encoding="utf-8")
            written.append(path)
        out.write_text(render_markdown(pm, chart_dir.name), encoding="utf-8")
        return written
    except OSError as exc:
        raise ReportError(f"cannot write {out}: {exc}") from exc
