"""``DecodeResult.analysis``: what the message's own headers say about why it bounced.

``pick.block_for()`` chooses the headers (and says where they come from);
``analyse()`` reads them, importing each reader only when its headers are
there (authres, the Public Suffix List and the anti-spam table cost start-up
time); ``locate()`` then finds each part's header in the input, as
``evidence.locate`` does for the recipients' evidence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import evidence
from ..source import decode_header_value
from . import pick, route, verdicts
from .alignment import organizational_domain
from .block import HeaderBlock, as_input, domain_of
from .model import Analysis, FromDomain, Span

if TYPE_CHECKING:
    from ..result import DecodeResult
    from ..source import Source

# The switch bench/headers_bench.py turns off to time decode() without the analysis.
ENABLED = True
# How far past one located header the next one of the block is looked for.
LOCATE_WINDOW = 400_000


def analyse(src: Source, result: DecodeResult, chosen: pick.Block | None = None) -> Analysis | None:
    """The analysis of the headers ``src`` carries; None when there is nothing to analyse.

    ``chosen`` is ``pick.block_for()``'s answer when the caller has it already.
    """
    if not ENABLED:
        return None
    chosen = chosen or pick.block_for(src, result.is_bounce)
    if chosen is None:
        return None
    pairs, source = chosen
    block = HeaderBlock(pairs)
    found = Analysis(source=source)
    found.from_domain = _from_domain(block)
    names = block.names()
    if names & pick.AUTH_NAMES:
        from . import alignment, auth

        found.authentication = auth.read(block)
        found.alignment = alignment.compute(
            found.from_domain.domain if found.from_domain else None, found.authentication
        )
    if any(name.startswith(pick.ANTISPAM_PREFIXES) for name in names):
        from . import antispam

        found.antispam = antispam.read(block)
    report_epoch = None
    if result.is_bounce and src.is_message:
        report_epoch = route.parse_date(src.header("date"))
    found.route = route.read(block, report_epoch)
    found.verdicts = verdicts.judge(found, result.recipients, result.is_bounce)
    return found


def _from_domain(block: HeaderBlock) -> FromDomain | None:
    header = block.first("from")
    if header is None:
        return None
    value = header.value(2000)
    if "=?" in value:
        value = decode_header_value(value)
    address = _address(value)
    domain = domain_of(address) if address else None
    return FromDomain(
        address=address,
        domain=domain,
        organizational_domain=organizational_domain(domain),
        span=header.span(),
    )


def _address(value: str) -> str | None:
    """The address of a From value: "Name <a@b.example>" -> "a@b.example" (lower-case)."""
    if "<" in value:
        inside = value[value.rfind("<") + 1 :].partition(">")[0].strip()
        if "@" in inside:
            return inside.lower()
    if "@" in value:
        if '"' in value or "(" in value:
            from email.utils import parseaddr  # only then: it imports socket and datetime

            found = parseaddr(value)[1]  # quoted names and comments: the stdlib knows
            if "@" in found:
                return found.strip().lower()
        word = next((w for w in value.split() if "@" in w), "")
        return word.strip("<>\"',;").lower() or None
    return None


def locate(data: bytes | str, analysis: Analysis) -> None:
    """Fill the offsets of every span of ``analysis`` whose header stands verbatim in ``data``."""
    spans = analysis.spans()
    if not spans:
        return
    text = evidence.input_text(data)
    by_index: dict[int, list[Span]] = {}
    for span in spans:
        by_index.setdefault(span.index, []).append(span)
    cursor = 0
    first = True
    for index in sorted(by_index):
        group = by_index[index]
        limit = len(text) if first else min(len(text), cursor + LOCATE_WINDOW)
        found = _find_header(text, group[0].header, group[0].raw, cursor, limit)
        if found is None:
            continue
        first = False
        start, end = found
        cursor = end
        for span in group:
            span.start, span.end = start, end
            if span.token:
                at = text.find(span.token, start, end)
                if at >= 0:
                    span.start, span.end = at, at + len(span.token)


def _find_header(text: str, name: str, raw: str, start: int, limit: int) -> tuple[int, int] | None:
    """The span of "name: raw" in ``text`` (CRLF or LF between its lines), or None."""
    if not raw.isascii():
        try:
            raw = as_input(raw)
        except UnicodeError:  # a lone surrogate that no byte was escaped to
            return None
    lines = raw.split("\n")
    head = name + ":"
    pos = text.find(head, start, limit)
    while pos >= 0:
        if pos == 0 or text[pos - 1] in "\r\n":
            at = pos + len(head)
            while at < len(text) and text[at] in " \t":
                at += 1
            end = _match_lines(text, at, lines)
            if end is not None:
                return pos, end
        pos = text.find(head, pos + 1, limit)
    return None


def _match_lines(text: str, at: int, lines: list[str]) -> int | None:
    if not text.startswith(lines[0], at):
        return None
    at += len(lines[0])
    for line in lines[1:]:
        if text.startswith("\r\n", at):
            at += 2
        elif text.startswith("\n", at):
            at += 1
        else:
            return None
        if not text.startswith(line, at):
            return None
        at += len(line)
    return at
