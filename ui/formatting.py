"""French formatting for pages and charts: the implementation lives in the top-level
``formatting`` module so that the lower layers (data_access, metrics), which may not import
``ui``, format dates and numbers the same way."""

from formatting import (
    LOCALE,
    NO_DATA,
    format_date,
    format_datetime,
    format_day_month,
    format_days,
    format_int,
    format_rate,
    secret_label,
)

__all__ = [
    "LOCALE",
    "NO_DATA",
    "format_date",
    "format_datetime",
    "format_day_month",
    "format_days",
    "format_int",
    "format_rate",
    "secret_label",
]
