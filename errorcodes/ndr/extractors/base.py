"""What every extractor returns, and the small helpers they share."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..lazyre import lazy
from ..result import Hop, Recipient

# An e-mail address in running text; bounded on both sides so scanning stays linear.
# The local part is a dot-atom or a quoted string ('"john smith"@example.org');
# domain labels may hold "_" (not valid in DNS host names, but seen in real routes).
ADDRESS_RE = re.compile(
    r"(?:(?<![\w.+=/%-])[\w!#$%&'*+/=?^`{|}~.-]{1,64}|\"[^\"\\\n]{1,62}\")@"
    r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}\.){1,8}[A-Za-z]{2,24}(?![\w-])"
)
# A host and IP in brackets: "mx.example.com[192.0.2.1]", "mx.example.com [192.0.2.1]".
HOST_IP_RE = lazy(
    r"\b((?:[A-Za-z0-9-]{1,63}\.){1,10}[A-Za-z]{2,24})\.?[ ]?\[(?:IPv6:)?[0-9A-Fa-f.:]{3,45}\]"
)


class Extraction:
    """What an extractor found: recipients plus message-level facts."""

    def __init__(
        self,
        layout: str,
        recipients: list[Recipient] | None = None,
        reporting_mta: str | None = None,
        hops: list[Hop] | None = None,
        provider: str | None = None,
    ) -> None:
        self.layout = layout
        self.recipients = [] if recipients is None else recipients
        self.reporting_mta = reporting_mta
        self.hops = [] if hops is None else hops
        self.provider = provider


def matches_around(
    pattern: re.Pattern[str], text: str, anchor: str, before: int, after: int
) -> Iterator[re.Match[str]]:
    """Yield the matches of ``pattern`` in ``text``, as ``finditer`` would.

    For a pattern whose every match holds the ``anchor`` character, starts at
    most ``before`` characters ahead of its first one and ends (look-ahead
    included) less than ``after`` past it.  Searching a window around each
    anchor skips the text between them, which the regex engine would try
    position by position.  That pays only while anchors are sparse: when the
    windows would add up to more than four times the text, it is scanned whole,
    which keeps the work linear in its length whatever it holds.
    """
    if text.count(anchor) * (before + after) > 4 * len(text):
        yield from pattern.finditer(text)
        return
    pos = 0
    while (at := text.find(anchor, pos)) >= 0:
        match = pattern.search(text, max(pos, at - before), at + after)
        if match is not None and match.start() <= at < match.end():
            yield match
            pos = match.end()
        else:  # no match around this anchor; one further on is found from its own
            pos = at + 1


def find_addresses(text: str) -> Iterator[re.Match[str]]:
    """Yield the addresses in ``text`` (ADDRESS_RE matches, each around its "@")."""
    # At most 64 characters of local part; the domain and the look-ahead after it
    # stay under 600.
    return matches_around(ADDRESS_RE, text, "@", 64, 600)


def address_list(text: str) -> list[str]:
    """Return every address in ``text``, as written, in order."""
    return [match.group(0) for match in find_addresses(text)]


def first_host(text: str) -> str | None:
    """Return the first "host[ip]" host name in ``text``."""
    # The host takes at most 10 labels of 64 and a dot and a space before "[";
    # the address and "]" come within 60 after it.
    match = next(matches_around(HOST_IP_RE, text, "[", 700, 60), None)
    return match.group(1).lower() if match else None


def squeeze(text: str, limit: int = 1000) -> str:
    """Collapse whitespace and cap the length of a diagnostic."""
    return " ".join(text.split())[:limit]
