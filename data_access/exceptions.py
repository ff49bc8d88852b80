"""Errors of the data layer, each carrying a French message meant for users.

Interfaces (CLI, pages) translate these in one place: they print ``str(error)``.
"""


class DataAccessError(Exception):
    """Base class: the message is a complete French sentence for the user."""


class DatabaseUnavailableError(DataAccessError):
    """The database cannot be reached or opened."""


class SchemaError(DataAccessError):
    """The database schema is missing or not at the expected revision."""


class ReferenceDataError(DataAccessError):
    """A reference data file (communes, UTAS mapping, roadmap) is missing or malformed."""


class ImportValidationError(DataAccessError):
    """An import was refused because rows failed validation; nothing was written.

    ``errors`` holds the row errors (file, line, field, message) for reports.
    """

    def __init__(self, message: str, errors: list | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class ConcurrentEditError(DataAccessError):
    """Someone else changed the row since it was read (optimistic locking)."""
