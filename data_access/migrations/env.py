"""Alembic environment: runs migrations on the connection handed over by ``data_access.migrate``."""

from alembic import context
from sqlalchemy import Connection, create_engine

from data_access.schema import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Use the caller's connection when given, else the URL of the Alembic config."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("sqlalchemy.url is missing from the Alembic configuration")
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
