"""Is this an IP address? Fast for the common cases (the stdlib's check costs microseconds).

``ipv4_valid`` and ``ipv6_valid`` answer as the ``ipaddress`` module's
``IPv4Address`` and ``IPv6Address`` do (the same rules, written out: importing
``ipaddress`` costs a one-file run of the command line over a millisecond).
"""

from __future__ import annotations

import re

from ..lazyre import lazy

IPV4_RE = re.compile(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})")
IPV6_CHARS_RE = lazy(r"[0-9A-Fa-f:.]{2,45}")
HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
HEXTETS = 8


def is_ip(value: str) -> bool:
    """Return True for an IPv4 or IPv6 address written plainly ("192.0.2.1", "2001:db8::1")."""
    four = IPV4_RE.fullmatch(value)
    if four is not None:
        return all(int(part) <= 255 for part in four.groups())
    if ":" not in value or IPV6_CHARS_RE.fullmatch(value) is None:
        return False
    return ipv6_valid(value)


def ipv4_valid(text: str) -> bool:
    """``ipaddress.IPv4Address(text)`` would accept ``text`` (a str)."""
    if "/" in text:
        return False
    octets = text.split(".")
    return len(octets) == 4 and all(_octet_valid(octet) for octet in octets)


def _octet_valid(octet: str) -> bool:
    return (
        octet.isascii()
        and octet.isdigit()
        and len(octet) <= 3
        and (octet == "0" or octet[0] != "0")
        and int(octet) <= 255
    )


def ipv6_valid(text: str) -> bool:
    """``ipaddress.IPv6Address(text)`` would accept ``text`` (a str)."""
    if "/" in text:
        return False
    text, percent, scope = text.partition("%")
    if percent and (not scope or "%" in scope):
        return False
    parts = text.split(":")
    if len(parts) < 3:
        return False
    if "." in parts[-1]:
        if not ipv4_valid(parts.pop()):
            return False
        parts += ["0", "0"]  # two hextets in its place
    if len(parts) > HEXTETS + 1:
        return False
    skip = None  # where "::" leaves out a run of zeros
    for index in range(1, len(parts) - 1):
        if not parts[index]:
            if skip is not None:
                return False  # at most one "::"
            skip = index
    if skip is not None:
        high, low = skip, len(parts) - skip - 1
        if not parts[0]:
            high -= 1
            if high:
                return False  # a leading ":" only as part of "::"
        if not parts[-1]:
            low -= 1
            if low:
                return False  # a trailing ":" only as part of "::"
        if HEXTETS - (high + low) < 1:
            return False
    else:
        if len(parts) != HEXTETS or not parts[0] or not parts[-1]:
            return False
        high, low = len(parts), 0
    hextets = parts[:high] + (parts[len(parts) - low :] if low else [])
    return all(_hextet_valid(hextet) for hextet in hextets)


def _hextet_valid(hextet: str) -> bool:
    return 0 < len(hextet) <= 4 and HEX_DIGITS.issuperset(hextet)
