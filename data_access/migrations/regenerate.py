"""Developer tool: rewrite the initial migration from the models.

Until the first production release the schema has a single migration, regenerated with
``python -m data_access.migrations.regenerate`` after editing ``schema.py``; from the first
release on, add new revisions with ``alembic revision --autogenerate`` instead.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import command

from data_access.db import make_engine
from data_access.migrate import MIGRATIONS_DIR, alembic_config

INITIAL = MIGRATIONS_DIR / "versions" / "0001_initial_schema.py"


def main() -> None:
    """Delete and regenerate ``0001_initial_schema.py`` against an empty SQLite database."""
    INITIAL.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'empty.sqlite'}")
        config = alembic_config(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.revision(config, message="initial schema", autogenerate=True, rev_id="0001")
        engine.dispose()
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(INITIAL)], check=False)


if __name__ == "__main__":
    main()
