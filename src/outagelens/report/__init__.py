"""Postmortem rendering: Markdown, HTML and PDF with charts."""
