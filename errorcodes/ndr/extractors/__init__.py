"""Bounce-text extractors, one module per layout, tried in order (most reliable first)."""

from __future__ import annotations

from collections.abc import Callable

from ..source import Source
from . import amazonses_json, generic_mta, microsoft_classic, microsoft_current, smtp_line
from .base import Extraction

# The first extractor that returns something wins.
REGISTRY: tuple[tuple[str, Callable[[Source], Extraction | None]], ...] = (
    ("microsoft_current", microsoft_current.extract),
    ("microsoft_classic", microsoft_classic.extract),
    ("amazonses_json", amazonses_json.extract),
    ("generic_mta", generic_mta.extract),
    ("smtp_line", smtp_line.extract),
)


def run(src: Source) -> Extraction | None:
    """Return the first extractor's result for ``src``."""
    for _name, extractor in REGISTRY:
        found = extractor(src)
        if found is not None:
            return found
    return None


__all__ = ["REGISTRY", "Extraction", "run"]
