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


# Extractors that read a report's own layout, worth running beside a complete
# delivery-status part (for its Microsoft details and message hops).
LAYOUT_READERS = frozenset({"microsoft_current", "microsoft_classic", "amazonses_json"})


def run(src: Source, layouts_only: bool = False) -> Extraction | None:
    """Return the first extractor's result for ``src``.

    ``layouts_only`` skips the free-text readers: a delivery-status part that
    gives every recipient the server's words leaves them nothing to add.
    """
    for name, extractor in REGISTRY:
        if layouts_only and name not in LAYOUT_READERS:
            continue
        found = extractor(src)
        if found is not None:
            return found
    return None


__all__ = ["REGISTRY", "Extraction", "run"]
