"""Regular expressions compiled on first use, for patterns that most inputs never need.

Compiling a pattern costs 50 to 800 microseconds; the decoder's modules hold
well over a hundred, and a one-file run of the command line uses a third of
them.  ``lazy(pattern, flags)`` stands in for ``re.compile(pattern, flags)``:
the first call of one of its methods compiles the pattern and puts the compiled
pattern's own bound methods in their place, so later calls cost what calls of
the compiled pattern cost.  Only the methods below are offered: such a pattern
is not a ``re.Pattern`` (``re.sub(lazy_pattern, ...)`` does not take it).
"""

from __future__ import annotations

import re
from typing import Any

METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")


class LazyPattern:
    """A regular expression compiled when one of its methods is first called."""

    def __init__(self, pattern: Any, flags: int = 0) -> None:
        self.pattern = pattern
        self._flags = flags
        self._compiled: re.Pattern | None = None

    def compiled(self) -> re.Pattern:
        """The compiled pattern (compiled now if it was not yet), its methods bound here."""
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self._flags)
            for name in METHODS:
                setattr(self, name, getattr(self._compiled, name))
        return self._compiled

    # Each is replaced by the compiled pattern's own method on first use.
    def search(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().search(*args, **kwargs)

    def match(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().match(*args, **kwargs)

    def fullmatch(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().fullmatch(*args, **kwargs)

    def finditer(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().finditer(*args, **kwargs)

    def findall(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().findall(*args, **kwargs)

    def sub(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().sub(*args, **kwargs)

    def subn(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().subn(*args, **kwargs)

    def split(self, *args: Any, **kwargs: Any) -> Any:
        return self.compiled().split(*args, **kwargs)


def lazy(pattern: Any, flags: int = 0) -> LazyPattern:
    """``re.compile(pattern, flags)``, done when the pattern is first used."""
    return LazyPattern(pattern, flags)
