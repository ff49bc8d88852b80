"""The reproducible synthetic département behind ``pilotage demo`` and the app's first run.

Kept apart from the rest of ``data_access/`` because none of it serves real data: ``generate``
drives the build, ``people`` draws the persons and their events, ``offer`` the partner offer and
company actions, ``governance`` the meetings, decisions and roadmap progress, ``model`` holds the
column-oriented tables they share and ``load`` writes them in bulk.
"""

from data_access.demo.generate import describe_report, generate_demo

__all__ = ["describe_report", "generate_demo"]
