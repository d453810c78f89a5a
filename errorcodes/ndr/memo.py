"""Memoised functions of the input's text, emptied when each decode() ends.

Bounces carry other people's addresses: nothing of one input may stay in the
process once its decode() has returned, not even in a memo.  Within one input
the same text comes back (a diagnostic repeated per recipient, a stamp copied
into an ARC header), which is what these memos are for.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

_MEMOS: list[Any] = []


def per_input(maxsize: int = 256) -> Callable[[Callable], Callable]:
    """``functools.lru_cache(maxsize)``, emptied by ``forget()`` after every input."""

    def memoised(function: Callable) -> Callable:
        cached = lru_cache(maxsize=maxsize)(function)
        _MEMOS.append(cached)
        return cached

    return memoised


def forget() -> None:
    """Empty every memo of input text."""
    for cached in _MEMOS:
        cached.cache_clear()
