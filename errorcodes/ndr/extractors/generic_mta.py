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

from ..phrases import phrase_set
from ..result import Recipient
from ..source import Source
from ..statuscodes import ENHANCED_RE, REPLY_ENHANCED_RE, infer_reason
from .base import ADDRESS_RE, Extraction, address_list, find_addresses, first_host, squeeze

# Prose that marks a text as a bounce even when it was pasted without headers.
BOUNCE_PROSE = (
    "could not be delivered",
    "couldn't be delivered",
    "undeliverable",
    "delivery failed",
    "delivery has failed",
    "failed permanently",
    "permanent error",
    "permanent fatal error",
    "was not delivered",
    "unable to deliver",
    "not be delivered",
    "returned mail",
    "delivery status notification",
    "mail delivery failed",
    "failure notice",
    "following address",
    "following recipient",
    "delivery to the following",
    "undelivered mail",
    "i'm afraid i wasn't able to deliver",
    "message could not be sent",
    "delivery problem",
    "has been delayed",
    "temporary failure",
    "delivery failure",
    "non-delivery",
    "mail system error",
)
BOUNCE_PHRASES = phrase_set(BOUNCE_PROSE)
# Where a rejection is quoted after a host: "said: 550 ...", "<<< 550 ...", "host x [ip]: 550".
CODE_LINE_RE = re.compile(
    r"(?:said:|<<<|\]:|\):|returned was:|response was:|reply:)[ \t]{0,5}([245])\d\d|^[ \t]{0,10}([245])\d\d[ -]",  # noqa: E501
    re.M,
)
# "remote host 192.0.2.1 said", "while talking to mx.example.com.:", "host mx.example.com[...]".
REMOTE_RE = re.compile(
    r"(?:while talking to|remote host|remote server|host|by)[ \t]{1,3}"
    r"((?:[A-Za-z0-9-]{1,63}\.){1,10}[A-Za-z]{2,24}|\d{1,3}(?:\.\d{1,3}){3})\b"
)
# Local parts that name a mail system, not a recipient.
SYSTEM_LOCALS = (
    "postmaster",
    "mailer-daemon",
    "abuse",
    "hostmaster",
    "noreply",
    "no-reply",
    "root",
)
# Words before an address that give it a role other than failed recipient:
# "please contact <support@example.net>", "From: sender@example.com",
# "MAIL FROM: sender@example.com", "Reply-To: ...", "Message-ID: <...@example.com>".
NOT_RECIPIENT_RE = re.compile(
    r"(?:\bcontact|\bwrite to|\bsend mail to|\bmailto:|\bfrom:|\bfrom|\bsender:?|"
    r"\breply-to:|\breturn-path:|\bmessage-id:|\bcc:|\bbcc:)[ \t<\"'(]{0,5}$",
    re.IGNORECASE,
)
MAX_BLOCK = 4000
# How far into a recipient's block its diagnostic may start.
MAX_BLOCK_LINES = 80
# Patterns of a line that carries the server's code; the first group that matched
# starts with the code's class digit.
CODED_LINE_PATTERNS = (REPLY_ENHANCED_RE, CODE_LINE_RE, ENHANCED_RE)
# The client's next step in a session transcript ("In: QUIT", ">>> QUIT"): the
# server's words about the failure end before it.
CLIENT_STEP_RE = re.compile(r"[ \t]*(?:in:|>>>)", re.IGNORECASE)
# A line that starts with a bare reply code and a colon or comma: "550: no such user".
LEADING_REPLY_RE = re.compile(r"^[^\S\n]{0,40}[245][0-5]\d[,:]", re.M)


def extract(src: Source) -> Extraction | None:
    """Return one recipient per address block of a free-text bounce, or None."""
    text = src.text[:200000]
    low = src.lower_text[:200000]
    if not (src.is_message or BOUNCE_PHRASES.found_in(low)):
        return None
    exclude = _sender_addresses(src)
    failed = address_list(src.header("x-failed-recipients"))
    failed_set = {a.lower() for a in failed}
    firsts: dict[str, int] = {}
    for match in find_addresses(text):
        addr = match.group(0).strip(".").lower()
        if addr in exclude or (failed_set and addr not in failed_set):
            continue
        if addr not in firsts and not failed_set and _not_a_recipient(text, match.start()):
            # Judged on its first mention: "please contact <postmaster@...>".
            exclude.add(addr)
            continue
        firsts.setdefault(addr, match.start())
    if len(firsts) > 1:
        real = {a: p for a, p in firsts.items() if not a.split("@")[0].startswith(SYSTEM_LOCALS)}
        firsts = real or firsts
    if not firsts:
        return None
    order = sorted(firsts.items(), key=lambda item: item[1])
    recipients = []
    for i, (addr, pos) in enumerate(order[:500]):
        end = order[i + 1][1] if i + 1 < len(order) else len(text)
        block = text[pos : min(end, pos + MAX_BLOCK)]
        if i + 1 == len(order):
            block = block[len(addr) :]
            block = (
                block if CODE_LINE_RE.search(block) or ENHANCED_RE.search(block) else block[:1200]
            )
        else:
            block = block[len(addr) :]
        diagnostic = diagnostic_of(block)
        if not (diagnostic and (infer_reason(diagnostic) or ENHANCED_RE.search(diagnostic))):
            # IMail "Unknown user: user@example.com", Notes "User not listed in public
            # Name & Address Book\nuser@example.com": the reason comes before the address.
            before = _words_before(text, pos)
            if before and infer_reason(before):
                diagnostic = squeeze(f"{before} {addr}")
        recipients.append(
            Recipient(address=addr, diagnostic=diagnostic, remote_mta=_remote_of(block))
        )
    if not any(r.diagnostic for r in recipients) and not src.is_message:
        return None
    return Extraction(layout="generic_mta", recipients=recipients)


def _words_before(text: str, pos: int) -> str:
    """Return the address's own line up to it, or the line above when that is empty."""
    line_start = text.rfind("\n", max(0, pos - 300), pos) + 1
    own = text[line_start:pos].strip(" \t<(\"'")
    if own or line_start == 0:
        return own
    above_end = line_start - 1
    above_start = text.rfind("\n", max(0, above_end - 300), above_end) + 1
    return text[above_start:above_end].strip()


def _not_a_recipient(text: str, pos: int) -> bool:
    """Return True when the words before an address on its line name another role."""
    line_start = text.rfind("\n", max(0, pos - 120), pos) + 1
    prefix = text[max(line_start, pos - 120) : pos]
    return bool(NOT_RECIPIENT_RE.search(prefix))


def diagnostic_of(block: str) -> str | None:
    """Return the server's words in a recipient block: the coded line(s), else the prose."""
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
                or ADDRESS_RE.fullmatch(line.strip(" <>:"))
                or CLIENT_STEP_RE.match(line)
            ):
                break
            picked.append(line)
        return squeeze(" ".join(picked)).strip(" :>") or None
    prose = [line.strip(" :<>()") for line in lines[:12] if line.strip(" :<>()")]
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
