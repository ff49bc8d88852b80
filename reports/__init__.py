"""Documents built from the figures: the committee deck and the printable report.

This floor sits above ``charts/`` (which draws) and below ``ui/`` and ``screens/`` (which show):
it gathers the figures from ``metrics/``, has ``charts/`` draw them, and keeps what must be kept
(the deck's snapshot) through ``data_access/``. ``cli.py`` and the pages call it alike, so a deck
or a report built from the command line is the one built from the page.
"""
