"""Renderers: one per output format, behind the closed :class:`Format` enum.

A command builds a :class:`View` (a document for YAML/JSON and tables for people); ``render``
turns it into text (or a Rich renderable for the terminal). Nothing here prints.
"""

from lepton_cli.report.html import Chart
from lepton_cli.report.render import Format, Table, View, render

__all__ = ["Chart", "Format", "Table", "View", "render"]
