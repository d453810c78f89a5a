"""What every extractor returns, and the small helpers they share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..result import Hop, Recipient

# An e-mail address in running text; bounded on both sides so scanning stays linear.
ADDRESS_RE = re.compile(
    r"(?<![\w.+=/%-])[\w!#$%&'*+/=?^`{|}~.-]{1,64}@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){1,8}[A-Za-z]{2,24}(?![\w-])"
)
# A host and IP in brackets: "mx.example.com[192.0.2.1]", "mx.example.com [192.0.2.1]".
HOST_IP_RE = re.compile(
    r"\b((?:[A-Za-z0-9-]{1,63}\.){1,10}[A-Za-z]{2,24})\.?[ ]?\[(?:IPv6:)?[0-9A-Fa-f.:]{3,45}\]"
)


@dataclass
class Extraction:
    """What an extractor found: recipients plus message-level facts."""

    layout: str
    recipients: list[Recipient] = field(default_factory=list)
    reporting_mta: str | None = None
    hops: list[Hop] = field(default_factory=list)
    provider: str | None = None


def addresses_in(text: str) -> list[str]:
    """Return the distinct addresses in ``text``, lower-cased, in order."""
    seen: dict[str, None] = {}
    for match in ADDRESS_RE.finditer(text):
        seen.setdefault(match.group(0).strip(".").lower(), None)
    return list(seen)


def first_host(text: str) -> str | None:
    """Return the first "host[ip]" host name in ``text``."""
    match = HOST_IP_RE.search(text)
    return match.group(1).lower() if match else None


def squeeze(text: str, limit: int = 1000) -> str:
    """Collapse whitespace and cap the length of a diagnostic."""
    return " ".join(text.split())[:limit]
