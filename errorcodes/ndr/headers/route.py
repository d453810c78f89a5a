"""The Received chain: hops oldest first, their delays, the total and the slowest hop.

Each Received header (RFC 5321 section 4.4) is read for its from-host and IP,
by-host, "with" protocol, TLS details where stated ("version=TLS1_2
cipher=...", Postfix's "using TLSv1.3 with cipher ..."), and its timestamp
(after the last semicolon, read as email.utils' parsedate_tz reads it; a broken
date leaves the hop without a time).  Headers are listed newest first; the route is oldest first.
At most MAX_HOPS headers are read, each at most MAX_CHARS long.
"""

from __future__ import annotations

import re
import time

from ..lazyre import lazy
from .block import HeaderBlock
from .ip import is_ip
from .model import Route, RouteHop, SlowestHop

MAX_HOPS = 50
MAX_CHARS = 2000
# Timestamps outside these years are taken as broken.
MIN_YEAR, MAX_YEAR = 1990, 2200

# A date as nearly every server writes it: "Thu, 29 Apr 2009 00:00:00 -0800 (PST)".
# parse_date() reads these itself, exactly as parsedate_tz would (the rest of the
# value, from the white space after the zone, is what parsedate_tz ignores too);
# any other form goes to parsedate_tz, whose module (email._parseaddr, and the
# calendar and datetime it imports) costs the command line 3 ms of start-up.
PLAIN_DATE_RE = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),[ \t]*)?([0-9]{1,2})[ \t]+"
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[ \t]+([1-9][0-9]{3})[ \t]+"
    r"([0-9]{2}):([0-9]{2}):([0-9]{2})[ \t]+([-+][0-9]{4})(?:[ \t][^\n]*)?"
)
MONTHS = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6}
MONTHS.update({"Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12})
# Days before the first of each month in a common year.
MONTH_DAYS = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)
# Days from 0001-01-01 to 1970-01-01 (date(1970, 1, 1).toordinal() - 1).
EPOCH_DAYS = 719_162

COMMENT_RE = re.compile(r"\([^()]{0,1000}\)")
FROM_RE = re.compile(r"^\s*from\s+(\S{1,255})", re.I)
BY_RE = re.compile(r"\bby\s+([^\s;]{1,255})", re.I)
# Words that end the "with" clause: "with ESMTPS id ...", "... for <a@b>", "... via Frontend".
WITH_END = frozenset({"id", "for", "via", "by", "from"})
# An address in brackets or parentheses: "[192.0.2.1]", "(192.0.2.1)", "[IPv6:2001:db8::1]".
BRACKETED_IP_RE = re.compile(r"[\[(]\s*(?:IPv6:)?([0-9A-Fa-f:.]{3,45})\s*[\])]")
# "(... [192.0.2.1])" and "(HELO x) (192.0.2.1)": any address-shaped token in the from part.
BARE_IP_RE = lazy(
    r"(?<![\w.:])((?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![\w.:])"
)
# The TLS version, each form behind the word that starts it (looked for first).
TLS_VERSION_RES = (
    ("version=", lazy(r"version=((?:TLS|SSL)[\w.]{0,10})", re.I)),
    ("using ", lazy(r"using\s+(TLSv?[\d.]{1,5})", re.I)),
    ("(tls1", lazy(r"\((TLS1[._]?\d)\)", re.I)),
)
TLS_CIPHER_RE = lazy(r"cipher[= ]([A-Za-z0-9_-]{3,80})", re.I)
ENCRYPTED_PROTOCOLS = frozenset(
    {"ESMTPS", "ESMTPSA", "UTF8SMTPS", "UTF8SMTPSA", "LMTPS", "LMTPSA", "HTTPS"}
)
PLAIN_PROTOCOLS = frozenset({"SMTP", "ESMTP", "ESMTPA", "LMTP", "LMTPA", "UTF8SMTP", "UTF8SMTPA"})


def read(block: HeaderBlock, report_epoch: float | None = None) -> Route | None:
    """The route of the block's Received headers; None when it has none."""
    headers = block.all("received")
    if not headers:
        return None
    route = Route(truncated=len(headers) > MAX_HOPS)
    newest_first = [parse_hop(h.value(MAX_CHARS), h.span()) for h in headers[:MAX_HOPS]]
    route.hops = newest_first[::-1]
    previous: RouteHop | None = None
    for number, hop in enumerate(route.hops, 1):
        hop.index = number
        if hop.epoch is None:
            continue
        if previous is not None and previous.epoch is not None:
            hop.delay_seconds = round(hop.epoch - previous.epoch)
        previous = hop
    timed = [h for h in route.hops if h.epoch is not None]
    if len(timed) >= 2:
        route.total_seconds = round(timed[-1].epoch - timed[0].epoch)  # type: ignore[operator]
    delayed = [h for h in route.hops if h.delay_seconds is not None and h.delay_seconds > 0]
    if delayed:
        slowest = max(delayed, key=lambda h: h.delay_seconds or 0)
        route.slowest = SlowestHop(
            index=slowest.index,
            delay_seconds=slowest.delay_seconds or 0,
            from_host=slowest.from_host,
            by_host=slowest.by_host,
        )
    if report_epoch is not None and timed:
        route.until_report_seconds = round(report_epoch - timed[-1].epoch)  # type: ignore[operator]
    return route


def parse_hop(value: str, span=None) -> RouteHop:
    """Read one Received value (unfolded)."""
    hop = RouteHop(index=0, span=span)
    head, semicolon, date = value.rpartition(";")
    if not semicolon:
        head, date = value, ""
    hop.epoch = parse_date(date)
    if hop.epoch is not None:
        hop.time = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(hop.epoch))
    bare = COMMENT_RE.sub(" ", head) if "(" in head else head
    if "(" in bare:
        bare = COMMENT_RE.sub(" ", bare)  # one level of nesting
    low = head.lower()
    by = BY_RE.search(bare)
    cut = low.find(" by ")
    from_part = head[:cut] if cut >= 0 else head
    found = FROM_RE.match(bare)
    if found is not None:
        host = found.group(1).strip("[]").rstrip(".")
        if is_ip(host):
            hop.from_ip = host
        else:
            hop.from_host = host.lower()
        if hop.from_ip is None:
            hop.from_ip = _first_ip(from_part)
    if by is not None:
        hop.by_host = by.group(1).strip("[]").rstrip(".").lower() or None
    hop.protocol = _protocol(bare)
    for word, pattern in TLS_VERSION_RES:
        if word in low:
            version = pattern.search(head)
            if version is not None:
                hop.tls_version = version.group(1)
                break
    if "cipher" in low:
        cipher = TLS_CIPHER_RE.search(head)
        if cipher is not None:
            hop.tls_cipher = cipher.group(1)
    word = (hop.protocol or "").upper()
    if hop.tls_version or word in ENCRYPTED_PROTOCOLS:
        hop.encrypted = True
    elif word in PLAIN_PROTOCOLS:
        hop.encrypted = False
    return hop


def _protocol(bare: str) -> str | None:
    """The words after "with" up to "id", "for", "via" (comments already removed)."""
    words = bare.split()
    lowered = bare.lower().split()  # the same words, lower-cased (no case maps to a space)
    if "with" not in lowered:
        return None
    start = lowered.index("with") + 1
    taken = []
    for word, low in zip(words[start : start + 8], lowered[start : start + 8], strict=False):
        if low in WITH_END:
            break
        taken.append(word)
    return " ".join(taken) or None


def parse_date(text: str) -> float | None:
    """Seconds since the epoch of an RFC 5322 date, or None when it cannot be read."""
    text = text.strip()[:200]
    if not text:
        return None
    plain = PLAIN_DATE_RE.fullmatch(text)
    if plain is not None:
        day, month, year, hour, minute, second, zone = plain.groups()
        number = int(zone)
        size = abs(number)
        offset = (size // 100 * 3600 + size % 100 * 60) * (-1 if number < 0 else 1)
        parts = (int(year), MONTHS[month], int(day), int(hour), int(minute), int(second))
    else:
        from email._parseaddr import parsedate_tz  # email.utils' own, without its imports

        try:
            found = parsedate_tz(text)
        except (ValueError, IndexError, TypeError, OverflowError):
            return None
        if found is None:
            return None
        parts, offset = found[:6], found[9] or 0  # no zone: read as UTC
    if not (MIN_YEAR <= parts[0] <= MAX_YEAR) or abs(offset) > 24 * 3600:
        return None
    return timegm(*parts) - offset


def timegm(year: int, month: int, day: int, hour: int, minute: int, second: int) -> int:
    """calendar.timegm of a date (month 1 to 12), without importing calendar and datetime."""
    before = year - 1
    days = before * 365 + before // 4 - before // 100 + before // 400 + MONTH_DAYS[month - 1]
    if month > 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        days += 1
    days += day - 1 - EPOCH_DAYS
    return ((days * 24 + hour) * 60 + minute) * 60 + second


def _first_ip(text: str) -> str | None:
    for pattern in (BRACKETED_IP_RE, BARE_IP_RE):
        for match in pattern.finditer(text, 0, MAX_CHARS):
            if is_ip(match.group(1)):
                return match.group(1)
    return None


def duration(seconds: int | None) -> str | None:
    """Seconds in words: "45 s", "12 min", "3 h 5 min", "2 d 4 h"."""
    if seconds is None:
        return None
    sign = "-" if seconds < 0 else ""
    left = abs(int(seconds))
    if left < 60:
        return f"{sign}{left} s"
    minutes, _ = divmod(left, 60)
    if minutes < 60:
        return f"{sign}{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{sign}{hours} h {minutes} min" if minutes else f"{sign}{hours} h"
    days, hours = divmod(hours, 24)
    return f"{sign}{days} d {hours} h" if hours else f"{sign}{days} d"
