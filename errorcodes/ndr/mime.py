"""A lean MIME structure parser that builds the stdlib's compat32 Message tree.

The stdlib feed parser reads every body line by line, checking each one
against the boundary: for a bounce that is most of the decoding time. Bounce
messages only need their structure, so this module splits bodies on their
boundary lines with one bounded regular expression per multipart and leaves
leaf bodies as strings; ``Message.get_payload(decode=True)`` still undoes
base64 and quoted-printable, and every other Message method works as usual.

Input is LF-only text in which bytes above 127 are kept as surrogate escapes,
as the stdlib's ``BytesParser`` does.
"""

from __future__ import annotations

import re
from email import policy
from email.message import Message

# Nesting and part count limits: a crafted message can nest or split forever.
MAX_DEPTH = 10
MAX_PARTS = 200

# A header name: printable ASCII without the colon, as the stdlib's feed parser has it.
HEADER_NAME_RE = re.compile(r"[\041-\071\073-\176]*")
CONTAINER_TYPES = frozenset({"message/rfc822", "message/global"})


def parse(text: str) -> Message:
    """Parse a whole message (LF line endings) into a compat32 Message."""
    return _parse_part(text, depth=0, budget=[MAX_PARTS])


def parse_headers(text: str) -> Message:
    """Parse only the header block at the start of ``text``."""
    msg, _ = _split_headers(text)
    return msg


def _split_headers(text: str) -> tuple[Message, str]:
    """Return the headers of ``text`` as a Message and the body that follows them."""
    msg = Message(policy=policy.compat32)
    blank = text.find("\n\n")
    head = text if blank < 0 else text[:blank]
    rest = "" if blank < 0 else text[blank + 2 :]
    if head.startswith("\n"):  # an empty header block: all of it is body
        return msg, text[1:]
    lines = head.split("\n")
    if lines[0].startswith("From "):  # an mbox separator, not a header
        lines = lines[1:]
    name = value = None
    for index, line in enumerate(lines):
        if line[:1] in (" ", "\t"):
            if name is not None:
                value += "\n" + line
            continue
        colon = line.find(":")
        if colon < 0 or not HEADER_NAME_RE.fullmatch(line, 0, colon):
            # No blank line before the body: it starts here, as the feed parser does it.
            body = "\n".join(lines[index:])
            rest = body + ("\n\n" + rest if blank >= 0 else "")
            break
        if name is not None:
            msg.set_raw(name, value)
        name, value = line[:colon], line[colon + 1 :].lstrip(" \t")
    if name is not None:
        msg.set_raw(name, value)
    return msg, rest


def _parse_part(text: str, depth: int, budget: list[int]) -> Message:
    msg, body = _split_headers(text)
    budget[0] -= 1
    ctype = msg.get_content_type()
    if depth < MAX_DEPTH and budget[0] > 0:
        if ctype.startswith("multipart/"):
            parts = _split_multipart(body, msg.get_param("boundary"), depth, budget)
            if parts is not None:
                msg.set_payload(parts)
                return msg
        elif ctype in CONTAINER_TYPES and msg.get("content-transfer-encoding", "").lower() in {
            "",
            "7bit",
            "8bit",
            "binary",
        }:
            msg.set_payload([_parse_part(body, depth + 1, budget)])
            return msg
    msg.set_payload(body)
    return msg


def _split_multipart(
    body: str, boundary: object, depth: int, budget: list[int]
) -> list[Message] | None:
    """Split ``body`` on its boundary lines; None when the boundary never appears."""
    if not isinstance(boundary, str) or not boundary.strip():
        return None
    parts: list[Message] = []
    start = None  # where the current part begins
    for line_start, line_end, closing in _delimiter_lines(body, "--" + boundary.strip()):
        if start is not None:
            parts.append(_part_between(body, start, line_start, depth, budget))
        if closing or budget[0] <= 0:
            return parts
        start = line_end + 1
    if start is None:
        return None
    if start < len(body):  # no closing delimiter: the last part runs to the end
        parts.append(_part_between(body, start, len(body), depth, budget))
    return parts


def _delimiter_lines(body: str, marker: str):
    """Yield (start, end, closing) of each boundary line: the marker at the start of a
    line, then "--" for the closing one, then nothing but blanks.

    Plain string search: a regular expression would be compiled anew for every
    message's boundary, which cost more than the search itself.
    """
    pos = 0
    while (found := body.find(marker, pos)) >= 0:
        pos = found + len(marker)
        if found and body[found - 1] != "\n":
            continue
        end = body.find("\n", pos)
        end = len(body) if end < 0 else end
        tail = body[pos:end]
        closing = tail.startswith("--")
        if (tail[2:] if closing else tail).strip(" \t"):
            continue  # a longer boundary that merely starts with this one
        yield found, end, closing
        pos = end


def _part_between(body: str, start: int, end: int, depth: int, budget: list[int]) -> Message:
    # The line break before a delimiter belongs to the delimiter.
    if end > start and body[end - 1] == "\n":
        end -= 1
    return _parse_part(body[start:end], depth + 1, budget)
