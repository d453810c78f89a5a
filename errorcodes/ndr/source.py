"""Turn whatever was pasted or uploaded into text and MIME parts.

Handles bytes or str, an mbox "From " line, LF/CRLF/CR line endings, any
charset (falling back gracefully), quoted-printable/base64, broken MIME,
message/delivery-status, message/rfc822, text/rfc822-headers and plain text
that is not a MIME message at all.  The structure comes from ``mime.py`` (a
tree of parts, built without reading bodies line by line), and how much input
each step looks at is bounded.
"""

from __future__ import annotations

import re
from functools import cache, cached_property

from . import failures, mime, notices
from .lazyre import lazy
from .mime import Part
from .statuscodes import lower_same_length

# An Outlook .msg file starts with the Compound File Binary signature (msg.py reads it).
CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Inputs larger than this are cut: a bounce's useful part is at the top, and
# bounding the input keeps every later step bounded too.
MAX_INPUT_BYTES = 1_500_000
# Human-readable text kept for the extractors.
MAX_TEXT_CHARS = 300_000
# MIME parts walked per message (a crafted message can hold thousands).
MAX_PARTS = 200

# An RFC 2047 encoded word: "=?utf-8?B?8J+QiA==?=".
ENCODED_WORD_RE = lazy(r"=\?[^?\s]{1,40}\?[bBqQ]\?[^?\s]{0,500}\?=")
# "From MAILER-DAEMON Thu Apr 29 00:00:00 2010" (mbox separator, no colon after From).
MBOX_FROM_RE = re.compile(rb"\A\n{0,5}From [^\n]{0,300}\n")
# A header line, its field name captured: "Subject: Undeliverable: ...".
HEADER_NAME_RE = re.compile(r"([!-9;-~]{1,76}):")
# The headers that make a pasted text a real message rather than loose fields.
MESSAGE_HEADERS = frozenset(
    {
        "from",
        "to",
        "subject",
        "date",
        "received",
        "message-id",
        "return-path",
        "mime-version",
        "content-type",
        "delivered-to",
        "x-failed-recipients",
    }
)
# Lines that start the copy of the original message inside a non-MIME bounce:
# "------ This is a copy of the message, including all the headers. ------",
# "--- Below this line is a copy of the message.", "----- Original message -----",
# "------- Returned Message --------", "Message headers follow.", "Original message headers:".
# Matched against lower-cased text (see lower_same_length): far faster than re.IGNORECASE.
# This pattern and the next begin with the line break before the line they match,
# a literal the engine can skip to, where "^" would be tried at every position.
ORIGINAL_MARKER_RE = re.compile(
    r"\n[ \t>]{0,4}(?:[-=*_]{2,}[ \t]{0,4}(?:original message|original mail|the original message|"
    r"copy of the original|returned message|a copy of the message|the header of the original)"
    r"|[-=*_ \t]{0,12}(?:this is a copy of the message|below this line is a copy|message headers follow|"  # noqa: E501
    r"original message follows|original message headers|original message:|unsent message below|"
    r"undelivered message follows|"
    r"headers of the original message|the header of the original message|returned mail follows|"
    r"the text you sent follows|content-type: message/rfc822|original mail as follows|"
    r"included is a copy of the message header))"
)
# Two header lines in a row inside the body: an embedded copy of the original
# ("Received: from ..." / "Return-Path: <...>" / "Message-ID: <...>").
EMBEDDED_HEADERS_RE = re.compile(
    r"\n(?:Received|Return-Path|Delivered-To|DKIM-Signature|X-Received|Message-I[Dd]|"
    r"Authentication-Results|MIME-Version|X-Mailer|User-Agent|Date|From|To|Subject|Reply-To):[ \t]?\S[^\n]{0,2000}\n"  # noqa: E501
    r"(?:[ \t][^\n]{0,2000}\n){0,20}"
    r"(?:Received|Return-Path|Delivered-To|DKIM-Signature|X-Received|Message-I[Dd]|Authentication-Results|"
    r"MIME-Version|X-Mailer|User-Agent|Date|From|To|Subject|Reply-To|Content-Type|X-[\w-]{1,60}):"
)
# A quoted line of a forwarded or replied-to text: "> text", ">> text", "> > text".
QUOTE_PREFIX_RE = lazy(r"^[ \t]{0,3}>[ \t]?", re.MULTILINE)
# Share of a text's non-blank lines that must be quoted before the quoting is removed:
# a sendmail transcript has a few ">>> RCPT To:" lines of its own.
QUOTED_SHARE = 0.6
# A line that starts with an enhanced code ("5.1.1 <a@b>: no mailbox here"), and the
# reply code re-wrapping may have left at the end of the line before ("...: 550").
# The line break is a literal the engine skips to; the code before it is checked after.
CODE_LINE_START_RE = lazy(r"\n[ \t>]{0,10}[245]\.\d{1,3}\.\d{1,3}\b")
LINE_END_REPLY_RE = lazy(r"[ \t:'][245]\d\d[ \t]{0,10}$")
# HTML line breaks and block ends, turned into newlines before tags are dropped.
HTML_BREAK_RE = lazy(r"<(?:br|/p|/div|/tr|/h\d|/li|/table|p|div|tr)\b[^>]{0,500}>", re.I)
# Table cells, kept apart by a tab so a "Message Hops" row stays one line.
HTML_CELL_RE = lazy(r"</t[dh]\s{0,10}>", re.I)
# Anything else that looks like a tag.
HTML_TAG_RE = lazy(r"<[^<>]{0,2000}>")
# <style> and <script> blocks, whose content is not text.
HTML_DROP_RE = lazy(r"<(style|script|head)\b[^>]{0,500}>.{0,200000}?</\1\s{0,5}>", re.I | re.S)
# Any surrogate code point; and those no byte was escaped to ("surrogateescape" uses
# U+DC80-U+DCFF for the bytes 0x80-0xFF).
SURROGATE_RE = lazy("[\ud800-\udfff]")
LONE_SURROGATE_RE = lazy("[\ud800-\udc7f\udd00-\udfff]")
# Charset names seen in the wild that Python spells differently.
CHARSET_ALIASES = {
    "x-sjis": "shift_jis",
    "shift-jis": "shift_jis",
    "sjis": "shift_jis",
    "x-euc-jp": "euc_jp",
    "ks_c_5601-1987": "cp949",
    "unicode-1-1-utf-7": "utf-7",
    "x-unknown": "utf-8",
    "unknown-8bit": "utf-8",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "iso-8859-8-i": "iso-8859-8",
    "windows-874": "cp874",
}
# The first MIME delimiter line of a body: "--AFBEFE4C38DB.1576657200/mx.example.net".
BOUNDARY_LINE_RE = lazy(r"^--([\x21-\x7e][\x20-\x7e]{0,68}[\x21-\x7e])[ \t]{0,10}$", re.M)
# The part header of the attached original: "Content-Type: message/rfc822".
ORIGINAL_PART_RE = lazy(
    rb"^content-type:[ \t]{0,10}(?:message/rfc822|message/global|text/rfc822-headers)\b",
    re.IGNORECASE | re.MULTILINE,
)
# Trimming a short tail is not worth it (and keeps small pastes exactly as given).
TRIM_MIN_BYTES = 512
# Below this size, finding the attached original costs more than parsing its body.
TRIM_FROM_BYTES = 100_000
DSN_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
RFC822_TYPES = frozenset({"message/rfc822", "message/global", "message/partial"})
HEADERS_TYPES = frozenset({"text/rfc822-headers", "message/global-headers"})


class Source:
    """The input, taken apart for the extractors (a plain class: a dataclass costs start-up)."""

    def __init__(
        self,
        message: Part | None = None,
        headers: dict[str, str] | None = None,
        content_types: list[str] | None = None,
        report_type: str = "",
        text: str = "",
        dsn_blocks: list[str] | None = None,
        original: Part | None = None,
        after_marker: str = "",
        is_message: bool = False,
    ) -> None:
        self.message = message
        # Top-level header values as found (lower-case names -> first value); header() decodes.
        self.headers = {} if headers is None else headers
        # Content types found while walking the message.
        self.content_types = [] if content_types is None else content_types
        # report-type parameter of a multipart/report, lower-case.
        self.report_type = report_type
        # The human-readable text of the bounce, cut before any copy of the original.
        self.text = text
        # The raw text of every delivery-status part.
        self.dsn_blocks = [] if dsn_blocks is None else dsn_blocks
        # Headers of the original message, when a part or the body carries them.
        self.original = original
        # The text after the marker of the copied original ("--- Original message ---"):
        # read again only when the bounce is itself the forward of another bounce.
        self.after_marker = after_marker
        # True when the input parsed as an e-mail message.
        self.is_message = is_message
        # header() results: every step asks for From and Subject again.
        self._decoded: dict[str, str] = {}

    @cached_property
    def lower_text(self) -> str:
        """The text lower-cased, every character at its index (read by every step)."""
        return lower_same_length(self.text)

    @cached_property
    def flat_text(self) -> str:
        """The text lower-cased, every run of white space one space.

        Phrases are looked for here: a paste re-wrapped at 72 columns breaks
        "could not be delivered" over two lines.
        """
        return " ".join(self.lower_text.split())

    @cached_property
    def notice(self) -> notices.Reading:
        """What the text's words say it is: bounce, delay warning, auto-reply."""
        return notices.read(self.flat_text)

    def header(self, name: str) -> str:
        """Return a decoded top-level header, or ''."""
        name = name.lower()
        if name not in self._decoded:
            self._decoded[name] = decode_header_value(self.headers.get(name, ""))
        return self._decoded[name]


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode ``data`` with its declared charset, guessing sensibly when wrong."""
    if charset:
        name = CHARSET_ALIASES.get(charset.strip().strip('"').lower(), charset.strip().strip('"'))
        try:
            return without_surrogates(data.decode(name))
        except (LookupError, UnicodeDecodeError, ValueError):
            pass
    if b"\x1b$" in data:
        try:
            return data.decode("iso-2022-jp")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if charset:
        try:
            return without_surrogates(data.decode(name, "replace"))
        except (LookupError, ValueError):
            pass
    return data.decode("cp1252", "replace") if _looks_cp1252(data) else data.decode("latin-1")


def without_surrogates(text: str) -> str:
    """Replace the lone surrogates some decoders give ("+2AA-" in UTF-7, "\\ud800" in JSON).

    They are not text: encoding them as UTF-8 (a header read as bytes, a web
    page) raises.
    """
    if text.isascii() or SURROGATE_RE.search(text) is None:
        return text
    return SURROGATE_RE.sub("\ufffd", text)


def _looks_cp1252(data: bytes) -> bool:
    # cp1252 leaves five bytes undefined; latin-1 never fails.
    return not any(b in data for b in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"))


@cache
def header_errors() -> tuple[type[Exception], ...]:
    """What the stdlib's RFC 2047 decoding raises on a bad word: HeaderParseError (base64),
    CharsetError (a charset name that is not ASCII), LookupError and UnicodeError (an
    unknown charset, bytes not in it).

    email.header and email.errors are imported for the first encoded word only
    (some 3 ms of the command line's start-up).
    """
    from email.errors import MessageError

    return (MessageError, ValueError, LookupError, TypeError, AssertionError)


def decode_header_value(value: object) -> str:
    """Decode an RFC 2047 header value into text, never raising.

    A word that cannot be decoded (broken base64, a charset name that is not
    ASCII) stays as written; the words around it are still decoded.
    """
    if value is None:
        return ""
    raw = str(value)
    if "=?" in raw:
        from email.header import decode_header, make_header

        try:
            raw = str(make_header(decode_header(raw)))
        except header_errors():
            # One bad word fails the whole value in the stdlib: decode word by word.
            raw = _decode_words_leniently(raw)
    if not raw.isascii():
        # A word in UTF-7 may decode to lone surrogates: not text.
        raw = LONE_SURROGATE_RE.sub("\ufffd", raw)
        # compat32 keeps undecodable 8-bit header bytes as surrogates; read them as UTF-8.
        if any("\udc80" <= ch <= "\udcff" for ch in raw):
            raw = raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return " ".join(raw.split())


def _decode_words_leniently(raw: str) -> str:
    """Decode each RFC 2047 word of ``raw`` on its own; one that cannot be decoded stays
    as written."""
    pieces: list[str] = []
    pos = 0
    joined = False  # the last word was decoded: white space up to the next one goes
    for match in ENCODED_WORD_RE.finditer(raw):
        gap = raw[pos : match.start()]
        text = _decode_word(match.group(0))
        if not (joined and text is not None and gap.isspace()):
            pieces.append(gap)
        pieces.append(match.group(0) if text is None else text)
        joined, pos = text is not None, match.end()
    pieces.append(raw[pos:])
    return "".join(pieces)


def _decode_word(word: str) -> str | None:
    """Return one encoded word as text, or None when it cannot be decoded.

    Its bytes must be text in the declared charset (charset aliases known) or
    in UTF-8: a guess would turn a mislabelled word into replacement characters,
    and the word as written says more.
    """
    from email.header import decode_header

    try:
        chunks = decode_header(word)
    except header_errors():
        return None
    texts = []
    for chunk, charset in chunks:
        text = chunk if isinstance(chunk, str) else _decode_as(chunk, charset or "utf-8")
        if text is None:
            return None
        texts.append(text)
    return "".join(texts)


def _decode_as(data: bytes, charset: str) -> str | None:
    """Return ``data`` decoded with ``charset`` (an alias known, "*lang" dropped), else
    as UTF-8; None when it is text in neither."""
    name = charset.partition("*")[0].strip().lower()
    for codec in (CHARSET_ALIASES.get(name, name), "utf-8"):
        try:
            return without_surrogates(data.decode(codec))
        except (LookupError, ValueError):  # UnicodeDecodeError is a ValueError
            continue
    return None


def html_to_text(markup: str) -> str:
    """Return the readable text of an HTML body, table cells kept apart."""
    markup = HTML_DROP_RE.sub(" ", markup)
    markup = HTML_CELL_RE.sub("\t", markup)
    markup = HTML_BREAK_RE.sub("\n", markup)
    markup = HTML_TAG_RE.sub("", markup)
    import html  # only for an HTML body

    return html.unescape(markup).replace("\xa0", " ")


def normalize_newlines(data: bytes) -> bytes:
    """Turn CRLF and CR-only line endings into LF."""
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def to_bytes(data: bytes | str | bytearray | memoryview | object) -> bytes:
    """Return the input as bytes, bounded in size."""
    if isinstance(data, str):
        raw = data[:MAX_INPUT_BYTES].encode("utf-8", "surrogatepass")
    elif isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data[:MAX_INPUT_BYTES])
    else:
        raw = str(data)[:MAX_INPUT_BYTES].encode("utf-8", "replace")
    return normalize_newlines(raw)


def _looks_like_message(raw: bytes) -> bool:
    """Return True when the input starts with real message headers."""
    head = raw[:70000].lstrip(b"\n")[:65536]
    blank = head.find(b"\n\n")
    # Only the header block matters; without a blank line, the last line of the
    # slice may be cut in half: do not judge it.
    lines = (
        head[:blank].decode("latin-1").split("\n")
        if blank >= 0
        else (head.decode("latin-1").split("\n")[:-1])
    )
    known = False
    for line in lines:
        if not line:
            break
        if line[0] in " \t":
            continue
        field_name = HEADER_NAME_RE.match(line)
        if field_name is None:
            return False
        known = known or field_name.group(1).lower() in MESSAGE_HEADERS
    return known


def load(data: bytes | str) -> Source:
    """Parse ``data`` into a Source (never raises on malformed input)."""
    if isinstance(data, bytes | bytearray | memoryview) and bytes(data[:8]) == CFB_SIGNATURE:
        from .msg import load_msg  # an Outlook .msg: only such a file pays for its reader

        return load_msg(data)
    raw = to_bytes(data)
    raw = MBOX_FROM_RE.sub(b"", raw, count=1)
    if not _looks_like_message(raw):
        text = decode_bytes(raw)
        unquoted = unquote(text)
        # A forwarded bounce quoted with "> " is still a message with headers.
        as_bytes = unquoted.encode("utf-8", "surrogateescape") if unquoted is not text else b""
        if not as_bytes or not _looks_like_message(as_bytes):
            return _load_text(text)
        raw = as_bytes
    if len(raw) > TRIM_FROM_BYTES:
        raw = trim_attached_original(raw)
    try:
        msg = mime.parse(raw.lstrip(b"\n").decode("ascii", "surrogateescape"))
    except Exception as exc:  # the parser is lenient, but never trust it on hostile input
        failures.caught(exc, "MIME parser")
        return _load_text(decode_bytes(raw))
    src = Source(message=msg, is_message=True)
    for name, value in msg.headers:
        src.headers.setdefault(name.lower(), value)
    if msg.content_type() == "multipart/report":
        src.report_type = (msg.param("report-type") or "").lower()
    texts: list[str] = []
    _walk(msg, src, texts, depth=0)
    _finish_text(src, "\n".join(texts))
    return src


def trim_attached_original(raw: bytes) -> bytes:
    """Drop the body of the attached original message: only its headers are read.

    In a big message the original's body (with its attachments) is most of the
    bytes to parse.  The original is the last part of a report.
    """
    found = ORIGINAL_PART_RE.search(raw, 0, 400_000)
    if found is None:
        return raw
    part_headers_end = raw.find(b"\n\n", found.end(), found.end() + 4000)
    if part_headers_end < 0:
        return raw
    inner_headers_end = raw.find(b"\n\n", part_headers_end + 2, part_headers_end + 200_000)
    if inner_headers_end < 0 or len(raw) - inner_headers_end < TRIM_MIN_BYTES:
        return raw
    return raw[: inner_headers_end + 2]


def _load_text(text: str) -> Source:
    src = Source()
    _finish_text(src, text)
    return src


def unquote(text: str) -> str:
    """Remove the "> " quoting of a bounce forwarded or replied to, level by level."""
    for _level in range(4):
        # Cheap first looks: most texts have no line, or few lines, that start with ">".
        if text[:1] != ">" and "\n>" not in text and "\n >" not in text:
            break
        if text.count("\n>") + text.count("\n >") + (text[:1] == ">") < 0.3 * text.count("\n"):
            break
        lines = [line for line in text.split("\n", 5000)[:5000] if line.strip()]
        quoted = sum(1 for line in lines if line.lstrip(" \t")[:1] == ">")
        if not lines or quoted < QUOTED_SHARE * len(lines):
            break
        text = QUOTE_PREFIX_RE.sub("", text)
    return text


def rejoin_split_replies(text: str) -> str:
    """Put a reply code that re-wrapping left at a line's end back before its enhanced code."""
    pieces: list[str] = []
    done = 0
    for match in CODE_LINE_START_RE.finditer(text):
        at = match.start()
        reply = LINE_END_REPLY_RE.search(text, max(done, at - 20), at)
        if reply is not None:
            pieces += [text[done : reply.start() + 4], " "]
            done = match.end() - len(match.group(0).lstrip("\n \t>"))
    return "".join(pieces) + text[done:] if pieces else text


def _finish_text(src: Source, text: str) -> None:
    """Cut the text before a copy of the original message; keep those headers."""
    text = unquote(text[:MAX_TEXT_CHARS])
    if not src.is_message:
        # Only a person's paste is re-wrapped; a mail system's report is as it wrote it.
        text = rejoin_split_replies(text)
    cut = after = None  # where the bounce's own text ends, where the copy starts
    # The marker's line break is the one added in front, or the one ending the
    # line before: either way its index in the padded text is the line's in ``text``.
    if marker := ORIGINAL_MARKER_RE.search("\n" + lower_same_length(text)):
        cut, after = marker.start(), marker.end() - 1
    embedded = EMBEDDED_HEADERS_RE.search(text)
    if embedded and embedded.start() >= 40 and (cut is None or embedded.start() + 1 < cut):
        cut = after = embedded.start() + 1
    if cut is not None:
        rest = text[after:]
        text = text[:cut]
        src.after_marker = rest
        if src.original is None:
            src.original = _headers_from_text(rest)
    src.text = text


def _headers_from_text(text: str) -> Part | None:
    """Parse the first header block found in ``text`` (a pasted original)."""
    lines = text.lstrip("-= \t").split("\n")
    start = next(
        (i for i, line in enumerate(lines[:30]) if HEADER_NAME_RE.match(line.lstrip(" >"))), None
    )
    if start is None:
        return None
    block = "\n".join(line.lstrip(">") for line in lines[start : start + 400])
    try:
        # Headers only: the pasted original's body is never read.
        msg = mime.parse_headers(block)
    except Exception as exc:  # the pasted headers are a bonus: the bounce reads without them
        failures.caught(exc, "pasted-headers parser")
        return None
    return msg if msg.headers else None


def _walk(part: Part, src: Source, texts: list[str], depth: int) -> None:
    """Collect text bodies, delivery-status blocks and the original's headers."""
    if depth > 8 or len(src.content_types) >= MAX_PARTS:
        return
    ctype = part.content_type()
    src.content_types.append(ctype)
    if ctype in DSN_TYPES:
        src.dsn_blocks.append(_dsn_text(part))
        return
    if ctype in RFC822_TYPES:
        inner = part.body
        if isinstance(inner, list) and inner:
            if src.original is None:
                src.original = inner[0]
        elif isinstance(inner, str) and src.original is None:
            # Not parsed as a message: too deep, or base64/quoted-printable encoded
            # (which RFC 2046 forbids, and some gateways do).
            encoding = (part.get("content-transfer-encoding") or "").strip().lower()
            identity = encoding in mime.IDENTITY_ENCODINGS
            src.original = _headers_from_text(inner if identity else _body_text(part))
        return
    if ctype in HEADERS_TYPES:
        if src.original is None:
            src.original = _headers_from_text(_body_text(part))
        return
    if ctype.startswith("multipart/") and not part.is_multipart():
        _walk_broken_multipart(part, ctype, src, texts, depth)
        return
    if part.is_multipart():
        payload = part.body
        if ctype == "multipart/alternative":
            # The plain and HTML versions say the same: read one, plain first.
            plain = [p for p in payload if p.content_type() == "text/plain"]
            payload = plain[:1] or payload[-1:]
        for sub in payload:
            _walk(sub, src, texts, depth + 1)
        return
    if ctype.startswith("text/") or (ctype == "application/octet-stream" and depth == 0):
        body = _body_text(part)
        if ctype == "text/html":
            body = html_to_text(body)
        if ctype == "text/plain" and "Final-Recipient:" in body[:20000] and depth > 0:
            # Some MTAs label the delivery-status part text/plain.
            src.dsn_blocks.append(body)
        texts.append(body)


def _walk_broken_multipart(
    part: Part, ctype: str, src: Source, texts: list[str], depth: int
) -> None:
    """Read a multipart whose boundary parameter is missing or wrong.

    Seen: a boundary that differs from the one used in the body by a character, and
    a "boundary=" continuation line without its leading space.  Re-parse with the
    first delimiter line of the body; with none, the body is plain text.
    """
    payload = part.body
    if not isinstance(payload, str):
        return
    found = BOUNDARY_LINE_RE.search(payload[:20000])
    if found:
        head = f'Content-Type: {ctype}; boundary="{found.group(1)}"\n\n'
        try:
            repaired = mime.parse(head + payload)
        except Exception as exc:  # read the body as text instead
            failures.caught(exc, "multipart repair")
            repaired = None
        if repaired is not None and repaired.is_multipart():
            if ctype == "multipart/report" and not src.report_type:
                src.report_type = (part.param("report-type") or "").lower()
            _walk(repaired, src, texts, depth + 1)
            return
    # The body as text, its 8-bit bytes decoded (the parser keeps them escaped).
    body = _body_text(part)
    if "final-recipient:" in body[:200000].lower():
        src.dsn_blocks.append(body)
    texts.append(body)


def _body_text(part: Part) -> str:
    return decode_bytes(part.body_bytes()[:MAX_INPUT_BYTES], part.param("charset"))


def _dsn_text(part: Part) -> str:
    """Return a delivery-status part as text, RFC 2047 words in its fields decoded."""
    text = _body_text(part)
    if "=?" not in text:
        return text
    return ENCODED_WORD_RE.sub(lambda m: decode_header_value(m.group(0)), text)
