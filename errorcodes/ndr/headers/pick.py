"""Which block of headers to analyse, if any: one look at the header names.

Kept apart from the analysis, and free of imports, so that an input with
nothing to analyse (a pasted bounce without the original's headers) never
loads the analysis and its tables.

- a bounce: the original message's headers it carries (an attached
  message/rfc822, a text/rfc822-headers part, or "Original message headers"
  pasted in its text) -> "original headers";
- not a bounce: an embedded copy of a message's headers, else the input's own
  headers when it is a message (a pasted header block, a saved message) ->
  "pasted headers".

Only a block with an authentication, anti-spam or Received header is analysed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..source import Source

# The headers auth.py reads (its AR_NAMES), and the prefixes of those antispam.py reads.
AUTH_NAMES = frozenset(
    {
        "authentication-results",
        "arc-authentication-results",
        "authentication-results-original",
        "x-original-authentication-results",
    }
)
ANTISPAM_PREFIXES = (
    "x-forefront-antispam-report",
    "x-microsoft-antispam",
    "x-ms-exchange-organization-",
)
# Header names that make a block worth analysing.
INTERESTING = AUTH_NAMES | {
    "received",
    "x-ms-exchange-organization-scl",
    "x-microsoft-antispam",
    "x-microsoft-antispam-mailbox-delivery",
}
INTERESTING_PREFIXES = ("x-forefront-antispam-report",)
# Header names looked at to decide.
MAX_NAMES = 1000

Block = tuple[list[tuple[str, str]], str]


def block_for(src: Source, is_bounce: bool) -> Block | None:
    """The headers to analyse and their source ("original headers", "pasted headers")."""
    if src.original is not None and interesting(src.original.headers):
        return src.original.headers, "original headers" if is_bounce else "pasted headers"
    if is_bounce or src.message is None or not src.is_message:
        return None
    if interesting(src.message.headers):
        return src.message.headers, "pasted headers"
    return None


def interesting(pairs: list[tuple[str, str]]) -> bool:
    """Return True when one of the first header names is one the analysis reads."""
    for name, _ in pairs[:MAX_NAMES]:
        low = name.lower()
        if low in INTERESTING or low.startswith(INTERESTING_PREFIXES):
            return True
    return False
