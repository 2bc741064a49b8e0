"""Every built-in scenario's postmortem in all three formats, checked with real tools."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from outagelens.report.render import render_html, render_markdown, write_report
from tests.conftest import require_program
from tests.report.conftest import SCENARIOS, Case

SECTIONS = (
    "Summary",
    "Scope",
    "Impact per customer",
    "Root cause",
    "Alternatives considered",
    "Financial and SLA impact",
    "Regulatory notes",
    "Timeline",
    "Lessons learned and actions",
    "Communication log",
    "Charts",
)


@pytest.mark.parametrize("name", SCENARIOS)
def test_markdown_has_every_section_and_chart_files(
    cases: dict[str, Case], name: str, tmp_path: Path
) -> None:
    pm = cases[name].postmortem
    text = render_markdown(pm)
    for section in SECTIONS:
        assert f"## {section}" in text or f"### {section}" in text, section
    written = write_report(pm, "md", tmp_path / "pm.md")
    svgs = [p for p in written if p.suffix == ".svg"]
    assert len(svgs) == len(pm.charts) >= 3
    for svg in svgs:
        assert f"pm-charts/{svg.name}" in (tmp_path / "pm.md").read_text()
        assert svg.read_text().startswith("<svg")


@pytest.mark.parametrize("name", SCENARIOS)
def test_html_renders_in_chromium_without_console_errors(
    cases: dict[str, Case], name: str, tmp_path: Path, browser: Any
) -> None:
    path = tmp_path / "pm.html"
    path.write_text(render_html(cases[name].postmortem))
    page = browser.new_page()
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "request",
        lambda r: (
            problems.append(f"network: {r.url}")
            if not r.url.startswith("file:") and not r.url.startswith("data:")
            else None
        ),
    )
    page.goto(path.as_uri())
    assert problems == []
    assert page.locator("section#summary").inner_text().startswith("Summary")
    assert page.locator("figure svg").count() == len(cases[name].postmortem.charts)
    page.close()


@pytest.mark.parametrize("name", SCENARIOS)
def test_pdf_turns_into_png_pages(cases: dict[str, Case], name: str, tmp_path: Path) -> None:
    pdftoppm = require_program("pdftoppm", shutil.which("pdftoppm"))
    pdf = tmp_path / "pm.pdf"
    write_report(cases[name].postmortem, "pdf", pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    subprocess.run([pdftoppm, "-png", "-r", "30", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3
    assert all(p.stat().st_size > 1000 for p in pages)
