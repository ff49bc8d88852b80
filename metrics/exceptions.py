"""Errors of the metric layer, each with a French message for users."""


class MetricError(Exception):
    """Base class: the message is a complete French sentence for the user."""


class ScopeError(MetricError):
    """The scope asked for cannot be computed (reversed period, unknown territory…)."""


class UnknownMetricError(MetricError):
    """An indicator id that the catalogue does not know."""
