"""Microsoft classic NDR layout (Exchange 2003-2019 on premises, older Office 365).

"Delivery has failed to these recipients or groups:" ... "Diagnostic information
for administrators:" / "Generating server: host" / "user@example.com" /
"Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; ...'" or
"#550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found ##".  Exchange 2003 writes
"did not reach the following recipient(s):" with "user@example.com on <date>".
Localized copies keep the same structure, so the structure is what we read.
"""

from __future__ import annotations

import re

from ..lazyre import lazy
from ..phrases import phrase_set
from ..result import Recipient
from ..source import Source
from .base import ADDRESS_RE, Extraction, squeeze

# "Generating server: EXCH01.contoso.com" and its translations (any label, then a host).
GENERATING_RE = lazy(
    r"^[ \t]{0,8}(?:Generating server|Server, der den Fehler generiert hat|Serveur de g\S{0,3}n\S{0,3}ration|"  # noqa: E501
    r"Generierender Server|Servidor de generaci\S{0,3}n|Server di generazione|"
    r"\u751f\u6210\u30b5\u30fc\u30d0\u30fc|Sent by)[ \t]{0,3}[:\uff1a][ \t]{0,5}([\w.-]{1,255})",
    re.IGNORECASE | re.MULTILINE,
)
# "Receiving server: mx.contoso.com (192.0.2.1)".
RECEIVING_RE = lazy(
    r"^[ \t]{0,8}(?:Receiving server|Empfangender Server|Serveur de r\S{0,3}ception)[ \t]{0,3}:[ \t]{0,5}([\w.-]{1,255})",  # noqa: E501
    re.IGNORECASE | re.MULTILINE,
)
# The opening of a quoted reply: "returned '550".
QUOTE_OPEN_RE = lazy(r"'[245]\d\d")
# Lines a re-wrapped quoted reply may have been broken into.
MAX_WRAPPED_LINES = 5
# "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; ...'" (any language:
# a quoted SMTP reply that starts with a reply code).
REMOTE_RETURNED_RE = lazy(r"'([245]\d\d[ -][^'\n]{0,1500})'")
# "#550 5.1.1 RESOLVER.ADR.ExRecipNotFound; not found ##", "<host #5.1.1>" and an IIS
# gateway's "<gw.example.com #5.5.0 smtp;550 5.1.1 User unknown>" (the remote reply after it).
HASH_RE = lazy(
    r"#([245]\d\d[ -][^#\n]{0,1500}|[245]\.\d\.\d{1,3}(?:[ \t]{1,3}[^#<>\n]{1,1500})?)"
    r"[^\n]{0,500}?(?:##|>)"
)
# Exchange 2003: "user@example.com on 29/04/2010 00:00" starting a recipient block, the
# address alone or in an X.400 form: "c=GB;a= ;p=Org;o=HQ;dda:SMTP=user@example.com; on ...".
ON_DATE_RE = lazy(
    r"^[ \t]{0,8}(?:[^\n@]{0,200}?dda:SMTP=)?(\S{1,128}@[^\s;]{1,255});? on [^\n]{4,80}$",
    re.MULTILINE,
)
# "mx.contoso.com" alone on a line, between a recipient and its error.
HOST_LINE_RE = lazy(r"[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}")
# The classic layout's section markers, English and localized.
MARKERS = (
    "delivery has failed to these recipients",
    "diagnostic information for administrators",
    "did not reach the following recipient",
    "generating server:",
    "remote server returned",
    "diagnoseinformationen f",
    "informations de diagnostic",
    "\u7ba1\u7406\u8005\u5411\u3051\u306e\u8a3a\u65ad\u60c5\u5831",
    "msexch:",
    "sent by microsoft exchange",
    "#5.",
)
MARKER_PHRASES = phrase_set(MARKERS)
# The admin section; recipients listed here carry the codes.
ADMIN_RE = lazy(
    r"^[ \t]{0,8}(?:Diagnostic information for administrators|Diagnoseinformationen f\S{1,3}r Administratoren|"  # noqa: E501
    r"Informations de diagnostic pour les administrateurs|\u7ba1\u7406\u8005\u5411\u3051\u306e\u8a3a\u65ad\u60c5\u5831|"  # noqa: E501
    r"Informaci\S{1,3}n de diagn\S{1,3}stico para administradores)",
    re.IGNORECASE | re.MULTILINE,
)


def extract(src: Source) -> Extraction | None:
    """Return the recipients of a classic Microsoft NDR, or None when it is not one."""
    text = src.text
    low = src.lower_text[:100000]
    score = len(MARKER_PHRASES.ranks(low))
    if score < 2 and not (score and (REMOTE_RETURNED_RE.search(text) or HASH_RE.search(text))):
        return None
    admin = ADMIN_RE.search(text)
    section = text[admin.end() :] if admin else text
    recipients = _admin_recipients(section) or _exchange2003_recipients(text)
    if not recipients:
        return None
    result = Extraction(layout="microsoft_classic", recipients=recipients)
    generating = GENERATING_RE.search(text)
    if generating:
        result.reporting_mta = generating.group(1).lower()
    receiving = RECEIVING_RE.search(text)
    if receiving:
        for rcpt in recipients:
            rcpt.remote_mta = rcpt.remote_mta or receiving.group(1).lower()
    return result


def _admin_recipients(section: str) -> list[Recipient]:
    """Read "address" lines each followed by its error line(s)."""
    recipients: list[Recipient] = []
    current: Recipient | None = None
    for line in _join_wrapped_replies(section[:60000].split("\n")):
        stripped = line.strip()
        if not stripped:
            continue
        error = REMOTE_RETURNED_RE.search(stripped) or HASH_RE.search(stripped)
        if error:
            if current is None and recipients:
                current = recipients[-1]
            if current is not None and not current.diagnostic:
                current.diagnostic = squeeze(error.group(1))
            continue
        address = ADDRESS_RE.search(stripped)
        if (
            address
            and len(stripped) <= len(address.group(0)) + 80
            and ":" not in stripped[: address.start()]
        ):
            addr = address.group(0).lower()
            if any(r.address == addr for r in recipients):
                current = next(r for r in recipients if r.address == addr)
                continue
            current = Recipient(address=addr)
            recipients.append(current)
            continue
        # A bare host line between the address and the error names the remote server.
        if (
            current is not None
            and current.diagnostic is None
            and not current.remote_mta
            and HOST_LINE_RE.fullmatch(stripped)
        ):
            current.remote_mta = stripped.lower()
    return [r for r in recipients if r.diagnostic]


def _join_wrapped_replies(lines: list[str]) -> list[str]:
    """Join a quoted reply that re-wrapping broke over lines ("returned '550" / "5.1.1 ...'")."""
    joined: list[str] = []
    pending: list[str] = []
    for line in lines:
        if pending:
            pending.append(line.strip())
            if "'" in line or len(pending) >= MAX_WRAPPED_LINES:
                joined.append(" ".join(pending))
                pending = []
            continue
        opening = QUOTE_OPEN_RE.search(line)
        if opening and "'" not in line[opening.end() :]:
            pending = [line]
        else:
            joined.append(line)
    if pending:
        joined.append(" ".join(pending))
    return joined


def _exchange2003_recipients(text: str) -> list[Recipient]:
    """Exchange 2003: "user@example.com on <date>" then indented explanation lines."""
    recipients = []
    matches = list(ON_DATE_RE.finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else min(len(text), match.end() + 1500)
        block = text[match.end() : end]
        address = ADDRESS_RE.search(match.group(1))
        if not address:
            continue
        recipients.append(
            Recipient(address=address.group(0).lower(), diagnostic=squeeze(block, 600))
        )
    return recipients
