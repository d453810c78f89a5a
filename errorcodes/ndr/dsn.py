"""RFC 3464 delivery-status fields: per-message and per-recipient groups.

Works on a message/delivery-status part and on the same fields pasted alone
as text, where groups may run together without blank lines.
"""

from __future__ import annotations

import re

# "Final-Recipient: rfc822; user@example.com", "Status: 5.1.1".
FIELD_RE = re.compile(r"^([A-Za-z][A-Za-z0-9-]{0,40})[ \t]{0,5}:[ \t]{0,20}(.{0,4000})$")
# Address inside a recipient field value: "rfc822; <user@example.com>".
# Loose on purpose: a DSN field may hold an undecoded "=?utf-8?...?="@ local part.
ADDRESS_RE = re.compile(r"[^\s<>\"';,()\[\]:]{1,128}@[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}")

# A quoted local part: "rfc822; \"john smith\"@example.org".
QUOTED_LOCAL_RE = re.compile(r'"[^"\\\n]{1,62}"@[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}')

RECIPIENT_FIELDS = frozenset(
    {
        "original-recipient",
        "final-recipient",
        "x-actual-recipient",
        "action",
        "status",
        "remote-mta",
        "diagnostic-code",
        "last-attempt-date",
        "final-log-id",
        "will-retry-until",
        "x-display-name",
        "x-supplementary-info",
    }
)
MESSAGE_FIELDS = frozenset(
    {
        "reporting-mta",
        "dsn-gateway",
        "received-from-mta",
        "arrival-date",
        "original-envelope-id",
        "x-postfix-queue-id",
        "x-postfix-sender",
        "x-original-message-id",
    }
)
# A group is about a recipient once it has one of these.
RECIPIENT_KEYS = ("final-recipient", "original-recipient", "x-actual-recipient")
# Fields whose repetition means a new recipient group has begun (pasted text).
GROUP_STARTERS = frozenset({"final-recipient", "original-recipient"})


class DsnReport:
    """Parsed delivery-status fields."""

    def __init__(
        self,
        message: dict[str, str] | None = None,
        recipients: list[dict[str, str]] | None = None,
    ) -> None:
        self.message = {} if message is None else message
        self.recipients = [] if recipients is None else recipients


def strip_type(value: str) -> str:
    """Drop the type prefix of "rfc822; user@example.com" or "smtp; 550 ..."."""
    head, sep, tail = value.partition(";")
    if sep and len(head) <= 20 and " " not in head.strip():
        return tail.strip()
    return value.strip()


def address_of(value: str) -> str | None:
    """Return the e-mail address in a recipient field value."""
    value = strip_type(value)
    match = QUOTED_LOCAL_RE.search(value) or ADDRESS_RE.search(value)
    return match.group(0).strip(".").lower() if match else None


def parse(text: str) -> DsnReport:
    """Read the delivery-status fields in ``text`` into groups."""
    report = DsnReport()
    group: dict[str, str] = {}
    last: str | None = None

    def close() -> None:
        nonlocal group
        if any(k in group for k in RECIPIENT_KEYS):
            report.recipients.append(group)
        elif "status" in group and "action" in group:
            # A recipient group without a recipient field still tells a status.
            report.recipients.append(group)
        for key in MESSAGE_FIELDS:
            if key in group:
                report.message.setdefault(key, group[key])
        group = {}

    for line in text.split("\n"):
        if not line.strip():
            close()
            last = None
            continue
        if line[0] in " \t" and last:
            group[last] = f"{group[last]} {line.strip()}"[:4000]
            continue
        match = FIELD_RE.match(line)
        if not match:
            # Some MTAs fold a multi-line reply without the leading space:
            # "Diagnostic-Code: smtp; 550-first line" then "550 second line".
            if last == "diagnostic-code":
                group[last] = f"{group[last]} {line.strip()}"[:4000]
            else:
                last = None
            continue
        name, value = match.group(1).lower(), match.group(2).strip()
        if name not in RECIPIENT_FIELDS and name not in MESSAGE_FIELDS:
            last = None
            continue
        if name in GROUP_STARTERS and any(k in group for k in RECIPIENT_KEYS):
            # Pasted groups run together: a repeated recipient field, or an
            # Original-Recipient after a complete group, starts the next one.
            complete = "final-recipient" in group and "status" in group
            if name in group or complete:
                close()
        if name in MESSAGE_FIELDS and any(k in group for k in RECIPIENT_KEYS):
            close()
        group.setdefault(name, value)
        last = name
    close()
    return report


def looks_like_dsn(text: str) -> bool:
    """Return True when ``text`` carries delivery-status fields (pasted alone)."""
    low = text[:200000].lower()
    return ("final-recipient:" in low or "original-recipient:" in low) and (
        "status:" in low or "diagnostic-code:" in low or "action:" in low
    )
