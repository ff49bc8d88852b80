"""Figures and exports: theme, chart descriptions, builders, PNG/SVG/CSV exporters, deck.

A chart is described once (``description.ChartDescription``) from metric results, then rendered
to a plotly figure for the screen and the PNG/SVG files, to CSV for its data, and to a native
PowerPoint chart for the committee deck, so every medium shows the same numbers. Charts never
query the database.
"""
