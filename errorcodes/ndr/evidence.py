"""Where in the input the words a verdict rests on are.

Classification keeps the words themselves (``Evidence.text``); this module
finds them in the input as it was given, so a page can highlight them and a
program can audit them.  Offsets count characters of the input as text (bytes
read as UTF-8, each undecodable byte one character).  A paste may be wrapped
or quoted differently from the words as read, so any run of white space or
"> " quoting between two words matches; case does not matter.  Words not found
verbatim (a base64 or quoted-printable body) keep no offsets.
"""

from __future__ import annotations

import re

from .memo import per_input
from .result import Recipient
from .statuscodes import lower_same_length

# Recipients whose evidence is located; a crafted DSN can list thousands, and each
# search costs up to a window of the input.
MAX_LOCATED = 200
# How far after the recipient's address its words are looked for first.
WINDOW = 100_000
# How much of the input is searched at all, and from its start when the words are
# not after the address.
MAX_INPUT = 1_500_000
HEAD = 300_000
# Words of a piece of evidence matched (its head is enough to place it).
MAX_WORDS = 12


def input_text(data: bytes | str) -> str:
    """Return the input as the text offsets count in."""
    if isinstance(data, str):
        return data[:MAX_INPUT]
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data[:MAX_INPUT]).decode("utf-8", "surrogateescape")
    return str(data)[:MAX_INPUT]  # as source.to_bytes reads any other object


def locate(data: bytes | str, recipients: list[Recipient]) -> str | None:
    """Fill the offsets of every recipient's evidence that occurs in ``data``.

    Return ``input_text(data)`` when it was needed (None otherwise): the header
    analysis's locator counts in the same text, and need not decode it again.
    """
    wanted = [
        (rcpt, item)
        for rcpt in recipients[:MAX_LOCATED]
        for item in rcpt.evidence.values()
        if item.text.strip()
    ]
    if not wanted:
        return None
    text = input_text(data)
    low: str | None = None  # lower-cased only when the words differ in case or spacing
    anchors: dict[str | None, int] = {}
    from_start: dict[str, tuple[int, int] | None] = {}
    for rcpt, item in wanted:
        if rcpt.address not in anchors:
            found = text.find(rcpt.address) if rcpt.address else -1
            anchors[rcpt.address] = max(found, 0)
        anchor = anchors[rcpt.address]
        # Most words stand in the input as the decoder read them.
        at = text.find(item.text, anchor, anchor + WINDOW)
        if at >= 0:
            item.start, item.end = at, at + len(item.text)
            continue
        pattern = _pattern(item.text.lower())
        if pattern is None:
            continue
        if low is None:
            low = lower_same_length(text)
        found = pattern.search(low, anchor, anchor + WINDOW)
        if found is not None:
            item.start, item.end = found.span()
            continue
        if item.text not in from_start:
            anywhere = pattern.search(low, 0, HEAD)
            from_start[item.text] = anywhere.span() if anywhere else None
        if (span := from_start[item.text]) is not None:
            item.start, item.end = span
    return text


@per_input(512)
def _pattern(words: str) -> re.Pattern[str] | None:
    tokens = words.split()[:MAX_WORDS]
    if not tokens:
        return None
    return re.compile(r"(?:\s|>)+".join(re.escape(token) for token in tokens))
