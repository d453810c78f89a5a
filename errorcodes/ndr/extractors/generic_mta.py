"""Human-readable bounce text of any MTA (Postfix, Exim, Sendmail, qmail, Courier,
Gmail, Yahoo, Amazon SES, Domino, ...) when there is no usable DSN part.

Nearly every MTA lists each failed address and puts the reason right after it:
Postfix "<user@example.com>: host mx[192.0.2.1] said: 550 5.1.1 ...", Exim
"  user@example.com\\n    host mx [192.0.2.1]: 550 ...", qmail "<user@example.com>:\\n
192.0.2.1 does not like recipient.", Gmail "Delivery to the following recipient failed
permanently:\\n\\n     user@example.com\\n\\nTechnical details ...".  So we read the text as
one block per recipient address: from its first mention to the next recipient.
"""

from __future__ import annotations

import re

from .. import notices
from ..lazyre import lazy
from ..result import Recipient
from ..source import Source, decode_header_value
from ..statuscodes import ENHANCED_RE, REPLY_ENHANCED_RE, REPLY_RE, find_wording, infer_reason
from . import addresses, smtp_line
from .base import ADDRESS_RE, Extraction, address_list, first_host, squeeze

# Where a rejection is quoted after a host: "said: 550 ...", "<<< 550 ...", "host x [ip]: 550".
# Sendmail's "(reason: 551 not our user)".
# A paste re-wrapped after "said:" leaves the code at the start of the next line.
CODE_LINE_RE = lazy(
    r"(?:said:|<<<|\]:|\):|returned was:|response was:|reply:|reason:)[ \t]{0,5}\n?[ \t]{0,10}"
    r"([245])\d\d|^[ \t]{0,10}([245])\d\d(?:[ -]|$)",
    re.M,
)
# "remote host 192.0.2.1 said", "while talking to mx.example.com.:", "host mx.example.com[...]".
REMOTE_RE = lazy(
    r"(?:while talking to|remote host|remote server|host|by)[ \t]{1,3}"
    r"((?:[A-Za-z0-9-]{1,63}\.){1,10}[A-Za-z]{2,24}|\d{1,3}(?:\.\d{1,3}){3})\b"
)
# The address an alias or forward was expanded from: Postfix "<a@b> (expanded from
# <alias@b>): ...", sendmail "    (expanded from: <alias@b>)".
EXPANDED_FROM_RE = lazy(
    r"\((?:expanded|generated) from:?[ \t]{0,3}<?([^<>()\s]{1,128}@[^<>()\s]{1,255}?)>?\)"
)
MAX_BLOCK = 4000
# Lines of prose read when no line carries a code (600 characters at the most).
MAX_PROSE_LINES = 30
MAX_TEXT = 200_000
# Addresses taken from a quoted original's To: when the report names none.
MAX_ORIGINAL_TO = 20
MAX_RECIPIENTS = 500
# How far into a recipient's block its diagnostic may start.
MAX_BLOCK_LINES = 80
# Patterns of a line that carries the server's code; the first group that matched
# starts with the code's class digit.
CODED_LINE_PATTERNS = (REPLY_ENHANCED_RE, CODE_LINE_RE, ENHANCED_RE)
# The client's next step in a session transcript ("In: QUIT", ">>> QUIT"): the
# server's words about the failure end before it.
CLIENT_STEP_RE = lazy(r"[ \t]*(?:in:|>>>)", re.IGNORECASE)
# A line that starts with a bare reply code and a colon or comma: "550: no such user".
LEADING_REPLY_RE = lazy(r"^[^\S\n]{0,40}[245][0-5]\d[,:]", re.M)


def extract(src: Source) -> Extraction | None:
    """Return one recipient per address block of a free-text bounce, or None."""
    text = src.text[:MAX_TEXT]
    if not src.is_message and smtp_line.looks_like_log(text):
        return None  # delivery log lines: read field by field by the SMTP-line reader
    by_wording = not (src.is_message or src.notice.reads_as_bounce)
    if by_wording and not _failure_wording(src):
        return None
    failed = {a.lower() for a in address_list(src.header("x-failed-recipients"))}
    order = addresses.candidates(text, src.lower_text[:MAX_TEXT], _sender_addresses(src), failed)
    if (
        by_wording
        or src.notice.has("not_bounce")
        or (not src.is_message and notices.is_letter(text))
    ):
        # Only the failure wording says "bounce", or a letter, a newsletter or a quota
        # warning talks about bounces: the address must be named the way reports
        # name failed ones.
        order = [c for c in order if c.role == addresses.STRONG]
    if not order:
        return _unnamed_recipient(src, text) if not (src.is_message or by_wording) else None
    recipients = []
    for i, candidate in enumerate(order[:MAX_RECIPIENTS]):
        addr, pos = candidate.address, candidate.position
        end = order[i + 1].position if i + 1 < len(order) else len(text)
        block = text[pos : min(end, pos + MAX_BLOCK)][len(addr) :]
        if i + 1 == len(order) and not (CODE_LINE_RE.search(block) or ENHANCED_RE.search(block)):
            block = block[:1200]
        expanded = EXPANDED_FROM_RE.search(block, 0, 2000)
        if expanded and not block[: expanded.start()].strip(" \t>"):
            block = block[expanded.end() :]  # the alias, not the server's words
        diagnostic = diagnostic_of(block, addr)
        if diagnostic and not ENHANCED_RE.search(diagnostic):
            # sendmail ends a transcript with its own line for the recipient, which
            # carries the enhanced code it records: "550 5.1.2 <a@b>... Host unknown".
            own = _own_status_line(block, addr)
            diagnostic = f"{diagnostic} {own}" if own else diagnostic
        if not (diagnostic and (infer_reason(diagnostic) or ENHANCED_RE.search(diagnostic))):
            # IMail "Unknown user: user@example.com", Notes "User not listed in public
            # Name & Address Book\nuser@example.com": the reason comes before the address.
            before = _words_before(text, pos)
            if before and infer_reason(before):
                diagnostic = squeeze(f"{before} {addr}")
        original = expanded.group(1).lower() if expanded else None
        recipients.append(
            Recipient(
                address=addr,
                diagnostic=diagnostic,
                remote_mta=_remote_of(block),
                original_address=original if original != addr else None,
            )
        )
    if not any(r.diagnostic for r in recipients):
        # "Delivery to the following recipients failed." and a list of addresses:
        # the report's own sentence is all there is to go on.
        notice = _notice_sentence(text)
        if notice is None or not any(c.role == addresses.STRONG for c in order):
            return None if not src.is_message else Extraction("generic_mta", recipients)
        for rcpt in recipients:
            rcpt.diagnostic = notice
    return Extraction(layout="generic_mta", recipients=recipients)


def _unnamed_recipient(src: Source, text: str) -> Extraction | None:
    """A pasted report that names no failed address ("the group you tried to contact
    may not exist"): the quoted original's To: when it is there, else one unnamed
    recipient, with the words that say why."""
    if notices.is_letter(text) or smtp_line.CODE_RE.search(text, 0, MAX_TEXT):
        return None  # a coded line is read by the SMTP-line reader
    reason = find_wording(text[:MAX_TEXT])
    if reason is None:
        return None
    line_start = text.rfind("\n", 0, reason.start) + 1
    line_end = text.find("\n", reason.start)
    words = squeeze(text[line_start : line_end if line_end >= 0 else len(text)], 600)
    # Decoded: the raw value keeps 8-bit bytes as surrogates, which are not text.
    original_to = src.original.get("to") if src.original is not None else None
    to = address_list(decode_header_value(original_to))
    named = list(dict.fromkeys(a.lower() for a in to))[:MAX_ORIGINAL_TO] or [None]
    return Extraction(
        layout="generic_mta", recipients=[Recipient(address=a, diagnostic=words) for a in named]
    )


def _notice_sentence(text: str) -> str | None:
    """Return the first line of ``text`` that says the message was not delivered."""
    for line in text[:20000].split("\n"):
        flat = " ".join(line.lower().split())
        if flat and notices.has_phrase("bounce", flat):
            return squeeze(line, 300)
    return None


def _failure_wording(src: Source) -> bool:
    """Return True when the text says an address failed ("Unknown user: a@b")."""
    reason = infer_reason(src.flat_text[:MAX_TEXT])
    return reason is not None and reason.reason in addresses.ADDRESS_REASONS


def _own_status_line(block: str, address: str) -> str | None:
    """Return the line of ``block`` with a reply, an enhanced code and ``address``."""
    for match in REPLY_ENHANCED_RE.finditer(block, 0, 20000):
        line_start = block.rfind("\n", 0, match.start()) + 1
        line_end = block.find("\n", match.end())
        line = block[line_start : line_end if line_end >= 0 else len(block)]
        if match.group(1)[0] in "45" and address in line.lower():
            return squeeze(line, 300)
    return None


def _words_before(text: str, pos: int) -> str:
    """Return the address's own line up to it, or the line above when that is empty.

    A reply re-wrapped before the address leaves its code on the line above:
    "Reason: 550 5.1.1 The email account that you tried to reach" / "does not
    exist. a@b" gives both lines.
    """
    line_start = text.rfind("\n", max(0, pos - 300), pos) + 1
    own = text[line_start:pos].strip(" \t<(\"'")
    if line_start == 0:
        return own
    above_end = line_start - 1
    above_start = text.rfind("\n", max(0, above_end - 300), above_end) + 1
    above = text[above_start:above_end].strip()
    if not own:
        return above
    if above and not ENHANCED_RE.search(own) and REPLY_RE.search(above):
        return f"{above} {own}"
    return own


def diagnostic_of(block: str, address: str | None = None) -> str | None:
    """Return the server's words in a recipient block: the coded line(s), else the prose.

    The words run on until a blank line, the client's next command or a line that
    names another address alone (a re-wrapped reply may leave ``address`` alone).
    """
    lines = block.split("\n")
    head = "\n".join(lines[:MAX_BLOCK_LINES]) if len(lines) > MAX_BLOCK_LINES else block
    # None of these patterns crosses a line end, so the earliest match over the
    # whole head is on the first line that any of them would match alone.  A
    # failure code wins over an earlier success in a session transcript
    # ("250 2.1.5 Ok" for RCPT, then "451 4.3.0 Error" after DATA).
    coded, failed = [], []
    for pattern in CODED_LINE_PATTERNS:
        for number, match in enumerate(pattern.finditer(head)):
            if number == 0:
                coded.append(match.start())
            if next(g for g in match.groups() if g)[0] in "45":
                failed.append(match.start())
                break
    found = failed or coded
    if not found and (m := LEADING_REPLY_RE.search(head)):
        found = [m.start()]
    start = head.count("\n", 0, min(found)) if found else None
    if start is not None:
        picked = [lines[start]]
        for line in lines[start + 1 : start + 4]:
            if (
                not line.strip()
                or (
                    (alone := ADDRESS_RE.fullmatch(line.strip(" <>:.")))
                    and alone.group(0).lower() != address
                )
                or CLIENT_STEP_RE.match(line)
            ):
                break
            picked.append(line)
        return squeeze(" ".join(picked)).strip(" :>") or None
    prose = [line.strip(" :<>()") for line in lines[:MAX_PROSE_LINES] if line.strip(" :<>()")]
    return squeeze(" ".join(prose), 600) or None


def _remote_of(block: str) -> str | None:
    host = first_host(block)
    if host:
        return host
    match = REMOTE_RE.search(block)
    return match.group(1).lower() if match else None


def _sender_addresses(src: Source) -> set[str]:
    """Addresses that belong to the sender side: never a failed recipient."""
    values = [src.header(n) for n in ("from", "to", "return-path", "reply-to", "sender", "cc")]
    if src.original is not None:
        values += [str(src.original.get("from", "")), str(src.original.get("return-path", ""))]
    return {a.lower() for a in address_list("\n".join(values))}
