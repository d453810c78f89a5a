"""A lean MIME structure parser for bounces.

The stdlib feed parser reads every body line by line, checking each one
against the boundary, and its Message looks headers up by scanning them all on
every access: for a bounce that was most of the decoding time.  Bounces only
need their structure, so this module splits bodies on their boundary lines by
string search, keeps leaf bodies as text, and indexes each part's headers once.
``Part.body_bytes()`` undoes base64 and quoted-printable the way the stdlib's
compat32 policy does.

Input is LF-only text in which bytes above 127 are kept as surrogate escapes,
as the stdlib's ``BytesParser`` does.
"""

from __future__ import annotations

import binascii
import re

# Nesting and part count limits: a crafted message can nest or split forever.
MAX_DEPTH = 10
MAX_PARTS = 200

# A header field and its continuation lines; the name is printable ASCII without
# the colon, as the stdlib's feed parser has it.
FIELD_RE = re.compile(r"([\041-\071\073-\176]*):[ \t]*([^\n]*(?:\n[ \t][^\n]*)*)")
CONTAINER_TYPES = frozenset({"message/rfc822", "message/global"})
# Transfer encodings whose body is the text itself.
IDENTITY_ENCODINGS = frozenset({"", "7bit", "8bit", "binary"})


class Part:
    """One MIME part: its headers in order, and its body text or sub-parts."""

    __slots__ = ("_ctype", "_index", "_params", "body", "headers")

    def __init__(self, headers: list[tuple[str, str]], body: str | list[Part] = "") -> None:
        self.headers = headers
        self.body = body
        # Lower-case name -> first value (hence reversed); what every lookup reads.
        self._index = {name.lower(): value for name, value in reversed(headers)}
        self._ctype: str | None = None
        self._params: dict[str, str] | None = None

    def get(self, name: str, default: str | None = None) -> str | None:
        """Return the first value of header ``name`` (any case), or ``default``."""
        return self._index.get(name.lower(), default)

    def content_type(self) -> str:
        """Return the lower-case media type; text/plain when missing or malformed."""
        if self._ctype is None:
            value = self._index.get("content-type", "")
            ctype = value.split(";", 1)[0].strip().lower()
            self._ctype = ctype if ctype.count("/") == 1 else "text/plain"
        return self._ctype

    def param(self, name: str) -> str | None:
        """Return a Content-Type parameter ("boundary", "charset", ...), unquoted."""
        if self._params is None:
            self._params = parse_params(self._index.get("content-type", ""))
        return self._params.get(name.lower())

    def is_multipart(self) -> bool:
        return isinstance(self.body, list)

    def body_bytes(self) -> bytes:
        """Return a leaf body as bytes, its transfer encoding undone."""
        if isinstance(self.body, list):
            return b""
        # Bytes above 127 are surrogate escapes; UTF-8 also takes any real character.
        raw = self.body.encode("utf-8", "surrogateescape")
        encoding = self._index.get("content-transfer-encoding", "").strip().lower()
        if encoding == "quoted-printable":
            return binascii.a2b_qp(raw)
        if encoding == "base64":
            return decode_base64(raw)
        return raw


def parse_params(value: str) -> dict[str, str]:
    """Return the parameters of a header value, names lower-cased, values unquoted.

    RFC 2231 forms ("name*=utf-8''a%20b", "name*0=...; name*1=...") are joined
    and percent-decoded.
    """
    params: dict[str, str] = {}
    pieces: dict[str, list[tuple[int, str, bool]]] = {}
    for item in _split_params(value)[1:]:
        name, eq, val = item.partition("=")
        if not eq:
            continue
        name = name.strip().lower()
        val = val.strip()
        if len(val) >= 2 and val[0] == val[-1] == '"':
            val = val[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        if "*" not in name:
            params.setdefault(name, val)
            continue
        base, _, rest = name.partition("*")
        order = rest.rstrip("*")
        pieces.setdefault(base, []).append(
            (int(order) if order.isdecimal() else 0, val, name.endswith("*"))
        )
    for base, chunks in pieces.items():
        chunks.sort(key=lambda chunk: chunk[0])
        text = ""
        for index, (_, val, encoded) in enumerate(chunks):
            if encoded:
                import urllib.parse  # only here: it imports ipaddress (1.5 ms of start-up)

                if index == 0:
                    val = val.split("'", 2)[-1]  # drop the charset'language' prefix
                val = urllib.parse.unquote(val)
            text += val
        params.setdefault(base, text)
    return params


def _split_params(value: str) -> list[str]:
    """Split a header value on the semicolons that are not inside quotes."""
    if '"' not in value:
        return value.split(";")
    items, start, quoted, escaped = [], 0, False, False
    for i, ch in enumerate(value):
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            items.append(value[start:i])
            start = i + 1
    items.append(value[start:])
    return items


def decode_base64(data: bytes) -> bytes:
    """Decode base64 leniently: stray characters skipped, missing padding added."""
    data = b"".join(data.split())
    try:
        return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
    except binascii.Error:
        # A truncated last quantum: decode what is whole.
        whole = len(data) - len(data) % 4
        try:
            return binascii.a2b_base64(data[:whole])
        except binascii.Error:
            return b""


def parse(text: str) -> Part:
    """Parse a whole message (LF line endings) into a tree of Parts."""
    return _parse_part(text, depth=0, budget=[MAX_PARTS])


def parse_headers(text: str) -> Part:
    """Parse only the header block at the start of ``text``."""
    msg, _ = _split_headers(text)
    return msg


def _split_headers(text: str) -> tuple[Part, str]:
    """Return the headers of ``text`` as a Part and the body that follows them."""
    blank = text.find("\n\n")
    head = text if blank < 0 else text[:blank]
    rest = "" if blank < 0 else text[blank + 2 :]
    if head.startswith("\n"):  # an empty header block: all of it is body
        return Part([]), text[1:]
    pos = 0
    if head.startswith("From "):  # an mbox separator, not a header
        pos = head.find("\n") + 1 or len(head)
    headers: list[tuple[str, str]] = []
    while pos < len(head):
        field = FIELD_RE.match(head, pos)
        if field is not None:
            headers.append(field.groups())
            pos = field.end() + 1
        elif head[pos] in " \t":  # a continuation line with no field to continue
            pos = head.find("\n", pos) + 1 or len(head)
        else:
            # No blank line before the body: it starts here, as the feed parser does it.
            rest = head[pos:] + ("\n\n" + rest if blank >= 0 else "")
            break
    return Part(headers), rest


def _parse_part(text: str, depth: int, budget: list[int]) -> Part:
    part, body = _split_headers(text)
    budget[0] -= 1
    ctype = part.content_type()
    if depth < MAX_DEPTH and budget[0] > 0:
        if ctype.startswith("multipart/"):
            parts = _split_multipart(body, part.param("boundary"), depth, budget)
            if parts is not None:
                part.body = parts
                return part
        elif ctype in CONTAINER_TYPES and (
            part.get("content-transfer-encoding", "").strip().lower() in IDENTITY_ENCODINGS
        ):
            part.body = [_parse_part(body, depth + 1, budget)]
            return part
    part.body = body
    return part


def _split_multipart(
    body: str, boundary: object, depth: int, budget: list[int]
) -> list[Part] | None:
    """Split ``body`` on its boundary lines; None when the boundary never appears."""
    if not isinstance(boundary, str) or not boundary.strip():
        return None
    parts: list[Part] = []
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


def _part_between(body: str, start: int, end: int, depth: int, budget: list[int]) -> Part:
    # The line break before a delimiter belongs to the delimiter.
    if end > start and body[end - 1] == "\n":
        end -= 1
    return _parse_part(body[start:end], depth + 1, budget)
