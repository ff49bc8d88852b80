"""Keyed hashing of personal identifiers: the only form in which they are ever stored.

HMAC-SHA256 with the département's secret key: the same source identifier always gives the
same key (so re-imports match), but the key cannot be reversed without the secret.
"""

from __future__ import annotations

import hashlib
import hmac


def pseudonymise(identifier: str, key: str) -> str:
    """Return the 64-hex-character keyed hash of a stripped, case-folded identifier."""
    normalised = identifier.strip().casefold()
    return hmac.digest(key.encode("utf-8"), normalised.encode("utf-8"), hashlib.sha256).hex()
