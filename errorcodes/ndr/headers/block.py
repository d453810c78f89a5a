"""A block of message headers, bounded, as the analysis reads it."""

from __future__ import annotations

import re

from .model import Span

# Headers of a block read at all: a crafted message can carry 100,000 Received lines.
MAX_HEADERS = 1000
# Characters of one header value read (unfolded); Microsoft's diagnostic headers run
# to a few thousand, and nothing the analysis reads is longer.
MAX_VALUE = 16_000


# A domain name (also Exchange Online's "; contoso.com;" clause in Authentication-Results).
DOMAIN_RE = re.compile(r"[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63}){1,20}\.?")


def domain_of(value: str | None) -> str | None:
    """The domain of an address or domain value ("a@Example.COM." -> "example.com")."""
    if not value:
        return None
    value = value.strip().strip("<>\"'").rstrip(".").lower()
    if "@" in value:
        value = value.rpartition("@")[2]
    if not value or value == "none" or not DOMAIN_RE.fullmatch(value):
        return None
    return value


def as_text(value: str) -> str:
    """``value`` with its surrogate escapes read as UTF-8 (U+FFFD where they are not)."""
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate no byte was escaped to: not text
        return value.encode("utf-8", "replace").decode("utf-8")


def as_input(value: str) -> str:
    """``value`` as the input text shows it (``evidence.input_text``: UTF-8, other bytes
    kept as surrogate escapes)."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")


class Header:
    """One header field: its place in the block, its name as written and its value."""

    __slots__ = ("index", "lname", "name", "raw")

    def __init__(self, index: int, name: str, raw: str) -> None:
        self.index = index
        self.name = name
        self.lname = name.lower()  # the readers compare it often
        self.raw = raw  # the value as parsed, continuation lines kept ("\n\t...")

    def value(self, limit: int = MAX_VALUE) -> str:
        """The value unfolded (every run of white space one space), at most ``limit`` chars.

        8-bit bytes (kept by the MIME parser as surrogate escapes) are read as UTF-8,
        and any that are not UTF-8 become U+FFFD: what comes out is text.
        """
        value = " ".join(self.raw[: limit * 2].split())[:limit]
        return value if value.isascii() else as_text(value)

    def span(self, token: str = "") -> Span:
        """A span naming this header (its offsets are filled by analysis.locate)."""
        return Span(header=self.name, index=self.index, raw=self.raw, token=token)


class HeaderBlock:
    """The headers of one message, top (closest to the recipient) first."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.headers = [Header(i, n, v) for i, (n, v) in enumerate(pairs[:MAX_HEADERS])]
        self.truncated = len(pairs) > MAX_HEADERS
        self._by_name: dict[str, list[Header]] = {}
        for header in self.headers:
            self._by_name.setdefault(header.lname, []).append(header)

    def all(self, name: str) -> list[Header]:
        """Every header named ``name`` (any case), top first."""
        return self._by_name.get(name, [])

    def first(self, name: str) -> Header | None:
        found = self._by_name.get(name)
        return found[0] if found else None

    def names(self) -> set[str]:
        return set(self._by_name)
