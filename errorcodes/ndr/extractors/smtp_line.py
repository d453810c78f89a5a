"""A bare SMTP reply, an MTA log line or a sending library's exception text.

"550 5.7.606 Access denied, banned sending IP [198.51.100.23]"
Postfix: "to=<user@example.com>, relay=mx.example.com[192.0.2.1]:25, ..., dsn=5.7.509,
  status=bounced (host ... said: 550 5.7.509 ...)"
Exim: "** user@example.com R=dnslookup T=remote_smtp H=mx.example.com [192.0.2.1]:
  SMTP error from remote mail server after RCPT TO:<user@example.com>: 550 5.1.1 ..."
Sendmail: "to=<user@example.com>, delay=00:00:01, mailer=esmtp,
  relay=mx.example.com. [192.0.2.1], dsn=5.1.1, stat=User unknown"
"Mailbox unavailable. The server response was: 5.7.57 Client not authenticated to send mail"
"""

from __future__ import annotations

import re

from .. import notices
from ..lazyre import lazy
from ..result import Recipient
from ..source import Source
from ..statuscodes import ENHANCED_RE, REPLY_RE
from .base import ADDRESS_RE, Extraction, first_host, squeeze

# Postfix/Sendmail: "to=<user@example.com>," (the recipient of a log line).
LOG_TO_RE = lazy(r"\bto=<?([^<>,\s]{1,256}@[^<>,\s]{1,255})>?")
# Postfix/Sendmail: "dsn=5.7.509".
LOG_DSN_RE = lazy(r"\bdsn=([245]\.\d\.\d{1,3})\b")
# Postfix: "status=bounced (host mx[192.0.2.1] said: 550 5.7.509 ... (in reply to RCPT TO command))".  # noqa: E501
POSTFIX_STATUS_RE = lazy(r"\bstatus=(\w{1,20}) \((.{0,3000})\)[ \t]*$")
# Sendmail: "stat=User unknown" (last field of the line).
SENDMAIL_STAT_RE = lazy(r"\bstat=(.{1,2000})$")
# Exim: "** user@example.com <alias@example.com> R=dnslookup ...: 550 5.1.1 ..." (** failed, == deferred).  # noqa: E501
EXIM_LOG_RE = lazy(r"(\*\*|==) (\S{1,256}@\S{1,255})(?: <\S{1,256}>)? (.{0,3000})$")
# Postfix "relay=mx.example.com[192.0.2.1]:25", Sendmail "relay=mx.example.com. [192.0.2.1]".
RELAY_RE = lazy(r"\brelay=([A-Za-z0-9.-]{1,255}?)\.?[ ]?\[")
# Library text: "The server response was: 5.7.57 ...", "Server replied: 550 ...".
LIBRARY_RE = lazy(
    r"(?:server response was|server replied|smtp error|response was)[: ]{1,4}(.{1,2000})$", re.I
)
# Line ends with a code we can read: reply, enhanced or both.
CODE_RE = lazy(r"(?<![\w.])(?:[245]\d\d[ -]|[245]\.\d\.\d{1,3}\b)")
MAX_LINES = 5000
MAX_LINE = 4000


def extract(src: Source) -> Extraction | None:
    """Return one recipient per coded line (a log may hold many), or None."""
    if src.notice.has("not_bounce") or (not src.is_message and notices.is_letter(src.text)):
        return None  # a person, a newsletter or a quota warning quoting a bounce's codes
    found: dict[str | None, Recipient] = {}
    for line in _logical_lines(src.text):
        if len(line) < 4 or not CODE_RE.search(line):
            continue
        rcpt = _from_line(line)
        if rcpt is None:
            continue
        key = rcpt.address
        if key in found:
            continue
        found[key] = rcpt
        if None in found and key is not None:
            # A code line without an address is the same failure as this one.
            found.pop(None)
    if not found:
        return None
    return Extraction(layout="smtp_line", recipients=list(found.values())[:500])


def _logical_lines(text: str) -> list[str]:
    """Return the lines of ``text``, a line that only continues a coded one joined to it.

    A one-line bounce re-wrapped by a mail program goes on, on the next line,
    without a code or an address of its own: "... 550 a@b is not" / "a valid user".
    """
    lines: list[str] = []
    coded = False
    log = looks_like_log(text)  # a log's lines are whole: none continues another
    for raw_line in text.split("\n", MAX_LINES)[:MAX_LINES]:
        line = raw_line.strip()[:MAX_LINE]
        if coded and not log and line and "@" not in line and not CODE_RE.search(line):
            lines[-1] = f"{lines[-1]} {line}"[:MAX_LINE]
            continue
        lines.append(line)
        coded = bool(line) and CODE_RE.search(line) is not None
    return lines


def looks_like_log(text: str) -> bool:
    """Return True when ``text`` holds MTA delivery log lines (read here, line by line).

    Postfix and sendmail: "to=<a@b>, ... status=bounced" or "dsn=5.1.1"; Exim:
    "** a@b R=dnslookup T=remote_smtp ...".
    """
    for line in text[:100_000].split("\n", 2000)[:2000]:
        if "@" not in line:
            continue
        if "to=" in line and ("status=" in line or "dsn=" in line or "stat=" in line):
            return True
        if (" R=" in line and " T=" in line) and ("** " in line or "== " in line):
            return True
    return False


def _from_line(line: str) -> Recipient | None:
    exim = EXIM_LOG_RE.search(line)
    if exim:
        action = "failed" if exim.group(1) == "**" else "delayed"
        rest = exim.group(3)
        return Recipient(
            address=exim.group(2).strip("<>").lower(),
            action=action,
            diagnostic=squeeze(rest.split(": ", 1)[-1] if ": " in rest else rest),
            remote_mta=_exim_host(rest),
        )
    to = LOG_TO_RE.search(line)
    if to:
        dsn = LOG_DSN_RE.search(line)
        postfix = POSTFIX_STATUS_RE.search(line)
        stat = SENDMAIL_STAT_RE.search(line)
        diagnostic = postfix.group(2) if postfix else (stat.group(1) if stat else line)
        if dsn and dsn.group(1) not in diagnostic:
            diagnostic = f"{dsn.group(1)} {diagnostic}"
        relay = RELAY_RE.search(line)
        action = None
        if postfix:
            action = {"bounced": "failed", "deferred": "delayed", "sent": "delivered"}.get(
                postfix.group(1)
            )
        return Recipient(
            address=to.group(1).lower(),
            action=action,
            diagnostic=squeeze(diagnostic),
            remote_mta=relay.group(1).lower() if relay else first_host(diagnostic),
        )
    library = LIBRARY_RE.search(line)
    text = library.group(1) if library else line
    if not (ENHANCED_RE.search(text) or REPLY_RE.match(text) or REPLY_RE.search(text)):
        return None
    address = ADDRESS_RE.search(text)
    # "The server response was: 5.7.57 ...": the code the text opens with is the answer.
    lead = ENHANCED_RE.match(text.strip()) if library else None
    return Recipient(
        address=address.group(0).lower() if address else None,
        status=".".join(lead.groups()) if lead else None,
        diagnostic=squeeze(text),
        remote_mta=first_host(text),
    )


def _exim_host(rest: str) -> str | None:
    match = re.search(r"\bH=([A-Za-z0-9.-]{1,255})", rest)
    return match.group(1).lower() if match else first_host(rest)
