"""JSON exports read with a bound on the number of records, checked while reading.

``json.loads`` builds the whole document before anyone can count it: 100 MB of ``{},`` become
33 million dictionaries (2.6 GB) before a row limit could refuse them. Exports of records put
them in the top-level array, or in arrays that are values of the top-level object
(``{"structures": […], "services": […]}``, ``{"items": […]}``). Those arrays are read one
element at a time with the standard decoder's ``raw_decode``, and the reading stops as soon as
they hold more than the limit; everything else is decoded as ``json.loads`` would.

Errors are the standard library's: ``json.JSONDecodeError`` (with line and column),
``RecursionError`` (nesting deeper than the interpreter allows), ``ValueError`` (a number of
more than 4 300 digits); and :class:`TooManyItemsError`.
"""

from __future__ import annotations

import json
import re
from typing import Any

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class TooManyItemsError(ValueError):
    """The top-level arrays hold more elements than allowed."""


class _Budget:
    """Elements still allowed across every top-level array."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise TooManyItemsError


def load_bounded(text: str, max_items: int) -> Any:
    """``json.loads(text)``, refused once the top-level arrays exceed ``max_items`` elements."""
    budget = _Budget(max_items)
    index = _skip(text, 0)
    value: Any
    if text.startswith("[", index):
        value, index = _array(text, index, budget)
    elif text.startswith("{", index):
        value, index = _object(text, index, budget)
    else:
        value, index = _value(text, index)
    index = _skip(text, index)
    if index != len(text):
        raise json.JSONDecodeError("Extra data", text, index)
    return value


def _skip(text: str, index: int) -> int:
    match = _WHITESPACE.match(text, index)
    return match.end() if match else index


def _value(text: str, index: int) -> tuple[Any, int]:
    """One JSON value starting at ``index`` (no leading whitespace) and where it ends."""
    return _DECODER.raw_decode(text, index)


def _array(text: str, index: int, budget: _Budget) -> tuple[list[Any], int]:
    """The array starting at ``text[index] == "["``, one element at a time."""
    items: list[Any] = []
    index = _skip(text, index + 1)
    if text.startswith("]", index):
        return items, index + 1
    while True:
        value, index = _value(text, index)
        budget.spend()
        items.append(value)
        index = _skip(text, index)
        if text.startswith(",", index):
            index = _skip(text, index + 1)
        elif text.startswith("]", index):
            return items, index + 1
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, index)


def _object(text: str, index: int, budget: _Budget) -> tuple[dict[str, Any], int]:
    """The top-level object; its array values are read with :func:`_array`."""
    result: dict[str, Any] = {}
    index = _skip(text, index + 1)
    if text.startswith("}", index):
        return result, index + 1
    while True:
        if not text.startswith('"', index):
            raise json.JSONDecodeError(
                "Expecting property name enclosed in double quotes", text, index
            )
        key, index = _value(text, index)
        index = _skip(text, index)
        if not text.startswith(":", index):
            raise json.JSONDecodeError("Expecting ':' delimiter", text, index)
        index = _skip(text, index + 1)
        if text.startswith("[", index):
            result[key], index = _array(text, index, budget)
        else:
            result[key], index = _value(text, index)
        index = _skip(text, index)
        if text.startswith(",", index):
            index = _skip(text, index + 1)
        elif text.startswith("}", index):
            return result, index + 1
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, index)
