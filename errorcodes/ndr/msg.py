"""Outlook .msg files (MS-OXMSG), read into the Source a MIME message would give.

Outlook on Windows saves an item, or lets one drag it out, as a .msg file: a
Compound File Binary file (it starts D0 CF 11 E0 A1 B1 1A E1) holding the item's
MAPI properties.  extract-msg, over olefile, reads the file; this module only
picks the properties a bounce is read from:

- the text: PR_BODY; else PR_HTML, converted like an HTML part; else the text
  encapsulated in PR_RTF_COMPRESSED; else PR_REPORT_TEXT.
- the headers: PR_TRANSPORT_MESSAGE_HEADERS, with Subject, From, To, Date and
  Message-ID taken from the item's properties where they lack them (an item
  made inside Exchange has no transport headers at all).
- the attachments: an attached message (an embedded .msg, or a message/rfc822
  file) gives the original's headers, the same way; a message/delivery-status
  file is a delivery-status part.
- a report's recipient table (REPORT.IPM.Note.NDR and the other .DR classes):
  Exchange turns a report's delivery-status part into one row per recipient
  (PR_SUPPLEMENTARY_INFO "<remote-mta #status diagnostic>", PR_NDR_STATUS_CODE,
  PR_REMOTE_MTA...).  When the text alone is thin (it gives no status code, or
  does not name each of those recipients), the rows become a delivery-status
  block again, as Exchange's MIME writer would write it.

Only a .msg pays for any of this: source.load() comes here when the input starts
with the signature, and extract-msg is imported on the first one.

A damaged file keeps what can be read.  A file cut short (an interrupted
download or copy) is read as if the missing sectors were zeros, so every
property stored before the cut is found; each property is read on its own, and
one the file's damage makes unreadable is skipped.  Those are the input's
faults, not the decoder's, and are not counted as failures.  Any other
exception is a bug: the safety net here counts it (failures.caught) and the
text read so far is kept.
"""

from __future__ import annotations

import io
import logging
import re
import struct
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any, TypeVar

from . import failures, mime
from .mime import Part
from .source import (
    DSN_TYPES,
    HEADERS_TYPES,
    MAX_TEXT_CHARS,
    RFC822_TYPES,
    Source,
    _finish_text,
    _headers_from_text,
    decode_bytes,
    html_to_text,
)

if TYPE_CHECKING:
    from extract_msg import MSGFile

T = TypeVar("T")

# A .msg over this size is read up to it, as a file cut short.  olefile checks each
# stream against a list of those before it, so a file of many tiny streams costs
# time in the square of their number: about 2 s at this size (0.2 s at 1 MiB).
MAX_MSG_BYTES = 4_000_000
# Bytes read of a property: text past MAX_TEXT_CHARS is never looked at.
MAX_PROPERTY_BYTES = 4 * MAX_TEXT_CHARS
# Decompressed RTF read for its encapsulated body: the RTF parser takes about a
# second per 80 kB.
MAX_RTF_BYTES = 100_000
# Recipients and attachments read from one item.
MAX_ROWS = 200

# Property IDs (MS-OXPROPS) and types.
PR_MESSAGE_CLASS = 0x001A
PR_SUBJECT = 0x0037
PR_CLIENT_SUBMIT_TIME = 0x0039
PR_ORIGINAL_SUBJECT = 0x0049
PR_ORIGINAL_SUBMIT_TIME = 0x004E
PR_ORIGINAL_SENDER_NAME = 0x005A
PR_ORIGINAL_SENDER_EMAIL_ADDRESS = 0x0067
PR_ORIGINAL_DISPLAY_TO = 0x0074
PR_TRANSPORT_MESSAGE_HEADERS = 0x007D
PR_SENDER_NAME = 0x0C1A
PR_RECIPIENT_TYPE = 0x0C15
PR_SUPPLEMENTARY_INFO = 0x0C1B
PR_SENDER_EMAIL_ADDRESS = 0x0C1F
PR_NDR_STATUS_CODE = 0x0C20
PR_REMOTE_MTA = 0x0C21
PR_DISPLAY_TO = 0x0E04
PR_MESSAGE_DELIVERY_TIME = 0x0E06
PR_BODY = 0x1000
PR_REPORT_TEXT = 0x1001
PR_RTF_COMPRESSED = 0x1009
PR_HTML = 0x1013
PR_INTERNET_MESSAGE_ID = 0x1035
PR_DISPLAY_NAME = 0x3001
PR_EMAIL_ADDRESS = 0x3003
PR_ATTACH_DATA = 0x3701
PR_ATTACH_FILENAME = 0x3704
PR_ATTACH_METHOD = 0x3705
PR_ATTACH_LONG_FILENAME = 0x3707
PR_ATTACH_MIME_TAG = 0x370E
PR_SMTP_ADDRESS = 0x39FE
PR_INTERNET_CPID = 0x3FDE
PR_MESSAGE_CODEPAGE = 0x3FFD
PR_SENDER_SMTP_ADDRESS = 0x5D01
PT_LONG = 0x0003
PT_SYSTIME = 0x0040
PT_STRING8 = 0x001E
PT_UNICODE = 0x001F
PT_BINARY = 0x0102
ATTACH_BY_VALUE = 1
MAPI_TO = 1

ROOT_PROPERTIES = "__properties_version1.0"
EMBEDDED_MESSAGE = "__substg1.0_3701000D"
RECIPIENT_PREFIX = "__recip_version1.0_#"
ATTACHMENT_PREFIX = "__attach_version1.0_#"

# The Action a report class stands for ("REPORT.IPM.Note.NDR" -> "failed").
REPORT_ACTIONS = (
    (".ndr", "failed"),
    (".delayed.dr", "delayed"),
    (".relayed.dr", "relayed"),
    (".expanded.dr", "expanded"),
    (".dr", "delivered"),
)
# PR_SUPPLEMENTARY_INFO as Exchange writes it (MS-OXCMAIL):
# "<mx.example.net #5.1.1 smtp;550 5.1.1 User unknown>", the host may be left out.
SUPPLEMENTARY_RE = re.compile(
    r"<?[ \t]{0,10}(?P<mta>[^\s#<>]{1,255})?[ \t]{0,10}#(?P<status>[245]\.\d{1,3}\.\d{1,3})\b"
    r"[ \t]{0,10}(?P<diagnostic>.{0,4000}?)[ \t]{0,10}>?[ \t]*\Z",
    re.S,
)
# An enhanced status code anywhere in the text: the text gives codes of its own.
TEXT_STATUS_RE = re.compile(r"(?<![\w.])[245]\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)")
# Older Exchange puts this line before the transport headers.
HEADERS_PREAMBLE = "microsoft mail internet headers version 2.0"
# Attached files read as text when they hold a delivery status or an original.
DSN_FILE_HINT = "final-recipient:"
# Code pages Python names differently from "cp" + number.
CODE_PAGES = {
    65001: "utf-8",
    20127: "ascii",
    28591: "latin-1",
    1200: "utf-16-le",
    50220: "iso-2022-jp",
}

# What extract-msg and olefile raise on a file whose bytes are damaged: a
# missing or looping sector, a size past the end, a property stream that is
# not one.  Raised while they read the file, these are the input's faults.
# (RecursionError: olefile walks the directory tree recursively.)
DAMAGED_FILE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    EOFError,
    ValueError,
    LookupError,
    ArithmeticError,
    struct.error,
    RecursionError,
)

# Those and extract-msg's own, once it is imported.
_read_errors: tuple[type[BaseException], ...] = DAMAGED_FILE_ERRORS


def load_msg(data: bytes | bytearray | memoryview) -> Source:
    """Read a .msg file into a Source (never raises on malformed input)."""
    src = Source(is_message=True)
    texts: list[str] = []
    # What a report's own properties say of the original: used when nothing else does.
    report_original: list[tuple[str, str]] = []
    reader = None
    try:
        reader = _open(bytes(data[:MAX_MSG_BYTES]))
        if reader is not None:
            _read_message(reader, src, texts, report_original)
    except Exception as exc:  # a bug here: keep what was read before it
        failures.caught(exc, ".msg reader")
    finally:
        if reader is not None:
            _attempt(reader.msg.close)
    _finish_text(src, "\n".join(texts))
    if src.original is None and report_original:
        src.original = Part(report_original)
    return src


# --- Opening the file ---------------------------------------------------------------


class _Item:
    """One property object of the file: the message, an attached message, a
    recipient or an attachment, by its storage path."""

    __slots__ = ("kind", "path")

    def __init__(self, path: tuple[str, ...], kind: str) -> None:
        self.path = path
        self.kind = kind  # "message", "embedded", "recipient" or "attachment"

    def child(self, name: str, kind: str) -> _Item:
        return _Item((*self.path, name), kind)


class _Reader:
    """The opened file: properties read one at a time, each on its own."""

    def __init__(self, msg: MSGFile) -> None:
        self.msg = msg
        self.root = _Item((), "message")
        self.codepage: str | None = None
        entries = _attempt(lambda: msg.listDir(True, True)) or ()
        # Every path, lower-cased, and the names right under each storage.
        self.names = {tuple(part.lower() for part in entry) for entry in entries}
        self.below: dict[tuple[str, ...], set[str]] = {}
        for name in self.names:
            for depth in range(len(name)):
                self.below.setdefault(name[:depth], set()).add(name[depth])
        self._props: dict[tuple[str, ...], Any] = {}

    def children(self, item: _Item, prefix: str) -> list[str]:
        """Names of the entries right under ``item`` that start with ``prefix``, lower-cased."""
        below = self.below.get(_lower(item.path), ())
        return sorted(n for n in below if n.startswith(prefix.lower()))[:MAX_ROWS]

    def stream(self, item: _Item, name: str) -> bytes | None:
        path = (*item.path, name)
        if _lower(path) not in self.names:
            return None
        data = _attempt(lambda: self.msg.getStream(list(path), prefix=False))
        return data[:MAX_PROPERTY_BYTES] if isinstance(data, bytes) else None

    def string(self, item: _Item, prop: int) -> str | None:
        """A string property, stored as PT_UNICODE or PT_STRING8; None when absent."""
        data = self.stream(item, f"__substg1.0_{prop:04X}{PT_UNICODE:04X}")
        if data is not None:
            return data.decode("utf-16-le", "replace").replace("\x00", "")
        data = self.stream(item, f"__substg1.0_{prop:04X}{PT_STRING8:04X}")
        if data is not None:
            return decode_bytes(data.replace(b"\x00", b""), self.codepage)
        return None

    def binary(self, item: _Item, prop: int) -> bytes | None:
        return self.stream(item, f"__substg1.0_{prop:04X}{PT_BINARY:04X}")

    def fixed(self, item: _Item, prop: int, prop_type: int) -> Any:
        """A fixed-length property (PT_LONG, PT_SYSTIME) from the item's property stream."""
        if item.path not in self._props:
            self._props[item.path] = self._property_store(item)
        store = self._props[item.path]
        if store is None:
            return None
        tag = f"{prop:04X}{prop_type:04X}"
        return _attempt(lambda: store.getValue(tag))

    def _property_store(self, item: _Item) -> Any:
        from extract_msg.enums import PropertiesType

        data = self.stream(item, ROOT_PROPERTIES)
        if not data:
            return None
        kind = {
            "message": PropertiesType.MESSAGE,
            "embedded": PropertiesType.MESSAGE_EMBED,
            "recipient": PropertiesType.RECIPIENT,
            "attachment": PropertiesType.ATTACHMENT,
        }[item.kind]
        return _attempt(lambda: _properties_store(data, kind))


def _properties_store(data: bytes, kind: Any) -> Any:
    from extract_msg.properties import PropertiesStore

    return PropertiesStore(data, kind)


def _lower(path: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.lower() for part in path)


def _open(data: bytes) -> _Reader | None:
    """Open the file with extract-msg; None when even its directory cannot be read."""
    _import_reader()
    from extract_msg import MSGFile
    from extract_msg.enums import ErrorBehavior

    # A file object, never the bytes: olefile takes short bytes for a file name.
    stream = io.BytesIO(_pad_cut_file(data))
    msg = _attempt(
        lambda: MSGFile(stream, delayAttachments=True, errorBehavior=ErrorBehavior.SUPPRESS_ALL)
    )
    if msg is None:
        return None
    reader = _Reader(msg)
    # Strings in an 8-bit code page (an Outlook 97-2002 file, PT_STRING8) name it here.
    for prop in (PR_MESSAGE_CODEPAGE, PR_INTERNET_CPID):
        page = reader.fixed(reader.root, prop, PT_LONG)
        if isinstance(page, int) and page > 0:
            reader.codepage = CODE_PAGES.get(page, f"cp{page}")
            break
    return reader


def _pad_cut_file(data: bytes) -> bytes:
    """Return ``data`` with zeros added up to the size its allocation table covers.

    A file cut short loses its last sectors, and olefile then refuses every
    stream that had a sector past the cut (and the mini stream, where all the
    small properties live, as a whole).  Zeros in their place let the reader
    find whatever was stored before the cut.  The header (MS-CFB 2.2) gives the
    sector size and how many sectors of allocation table there are; each of
    those maps sector_size / 4 sectors.
    """
    if len(data) < 512:
        return data
    shift = int.from_bytes(data[30:32], "little")
    fat_sectors = int.from_bytes(data[44:48], "little")
    if shift not in (9, 12):
        return data
    size = 1 << shift
    covered = size * (1 + fat_sectors * (size // 4))
    # Never past MAX_MSG_BYTES (a file that long is cut there anyway), in whole sectors.
    target = min(covered, MAX_MSG_BYTES // size * size)
    if len(data) < target:
        return data + bytes(target - len(data))
    return data


def _import_reader() -> None:
    """Import extract-msg (on the first .msg only) and quiet its loggers.

    extract-msg and olefile log what they find wrong in a file, with pieces of
    its content; the decoder never logs the input.
    """
    global _read_errors
    if _read_errors is not DAMAGED_FILE_ERRORS:
        return
    from extract_msg.exceptions import ExMsgBaseException

    for name in ("extract_msg", "olefile", "RTFDE"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    _read_errors = (*DAMAGED_FILE_ERRORS, ExMsgBaseException)


def _attempt(read: Callable[[], T]) -> T | None:
    """Return ``read()``, or None when the file's damage makes it fail."""
    try:
        return read()
    except _read_errors:
        return None


# --- Reading an item ----------------------------------------------------------------


def _read_message(
    reader: _Reader, src: Source, texts: list[str], report_original: list[tuple[str, str]]
) -> None:
    """Fill ``src`` from the file's message: headers, text, attachments, report rows."""
    item = reader.root
    message_class = (reader.string(item, PR_MESSAGE_CLASS) or "").strip().lower()
    headers = _item_headers(reader, item)
    src.message = headers
    for name, value in headers.headers:
        src.headers.setdefault(name.lower(), value)
    src.content_types.append(headers.content_type())
    if headers.content_type() == "multipart/report":
        src.report_type = (headers.param("report-type") or "").lower()
    elif message_class.startswith("report."):
        src.report_type = (
            "disposition-notification" if "ipnrn" in message_class else "delivery-status"
        )
    body = _body_text(reader, item)
    if body:
        texts.append(body)
    _read_attachments(reader, item, src)
    if message_class.startswith("report."):
        report_original += _report_original(reader, item)
        action = next((a for end, a in REPORT_ACTIONS if message_class.endswith(end)), None)
        if action:
            rows = _report_rows(reader, item)
            if rows and _is_thin(body, rows):
                src.dsn_blocks.append(_dsn_block(rows, action))
                src.content_types.append("message/delivery-status")


def _item_headers(reader: _Reader, item: _Item) -> Part:
    """The item's transport headers, completed from its properties."""
    raw = reader.string(item, PR_TRANSPORT_MESSAGE_HEADERS) or ""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").lstrip("\n")
    if raw[:60].lower().startswith(HEADERS_PREAMBLE):
        raw = raw.partition("\n")[2]
    # Headers only: a blank line ends them, whatever follows.
    fields = mime.parse_headers(raw.split("\n\n", 1)[0] + "\n").headers if raw.strip() else []
    present = {name.lower() for name, _ in fields}
    extra = [
        (name, value)
        for name, value in _property_headers(reader, item)
        if value and name.lower() not in present
    ]
    return Part(fields + extra)


def _property_headers(reader: _Reader, item: _Item) -> list[tuple[str, str]]:
    """The header fields an item's own properties give."""
    sender_name = reader.string(item, PR_SENDER_NAME)
    sender = _address(reader.string(item, PR_SENDER_SMTP_ADDRESS)) or _address(
        reader.string(item, PR_SENDER_EMAIL_ADDRESS)
    )
    sent = reader.fixed(item, PR_CLIENT_SUBMIT_TIME, PT_SYSTIME) or reader.fixed(
        item, PR_MESSAGE_DELIVERY_TIME, PT_SYSTIME
    )
    # A message's To is its recipient table; a report's table lists the recipients
    # it reports on, so a report keeps the display names.
    to = None if item.kind == "message" else _to_header(reader, item)
    return [
        ("From", _mailbox(sender_name, sender)),
        ("To", to or _one_line(reader.string(item, PR_DISPLAY_TO))),
        ("Subject", _one_line(reader.string(item, PR_SUBJECT))),
        ("Date", _date(sent)),
        ("Message-ID", _one_line(reader.string(item, PR_INTERNET_MESSAGE_ID))),
    ]


def _to_header(reader: _Reader, item: _Item) -> str | None:
    """The item's primary recipients from its recipient table: "Name <address>, ..."."""
    mailboxes = []
    for name in reader.children(item, RECIPIENT_PREFIX)[:100]:
        rcpt = item.child(name, "recipient")
        if reader.fixed(rcpt, PR_RECIPIENT_TYPE, PT_LONG) not in (None, MAPI_TO):
            continue
        address = _address(reader.string(rcpt, PR_SMTP_ADDRESS)) or _address(
            reader.string(rcpt, PR_EMAIL_ADDRESS)
        )
        if mailbox := _mailbox(reader.string(rcpt, PR_DISPLAY_NAME), address):
            mailboxes.append(mailbox)
    return ", ".join(mailboxes) or None


def _body_text(reader: _Reader, item: _Item) -> str:
    """PR_BODY; else PR_HTML as text; else the RTF body's text; else PR_REPORT_TEXT."""
    body = reader.string(item, PR_BODY)
    if not (body and body.strip()):
        markup = reader.binary(item, PR_HTML)
        if markup is not None:
            body = html_to_text(decode_bytes(markup, _html_charset(markup) or reader.codepage))
        elif (text := reader.string(item, PR_HTML)) is not None:
            body = html_to_text(text)
    if not (body and body.strip()):
        body = _rtf_text(reader.binary(item, PR_RTF_COMPRESSED))
    if not (body and body.strip()):
        body = reader.string(item, PR_REPORT_TEXT)
    return (body or "").replace("\r\n", "\n").replace("\r", "\n")[:MAX_TEXT_CHARS]


HTML_CHARSET_RE = re.compile(rb"<meta[^>]{0,300}?charset=[\"']?([A-Za-z0-9_.:-]{1,40})", re.I)


def _html_charset(markup: bytes) -> str | None:
    found = HTML_CHARSET_RE.search(markup, 0, 4000)
    return found.group(1).decode("ascii") if found else None


def _rtf_text(compressed: bytes | None) -> str | None:
    """The HTML or text an RTF body encapsulates (Outlook's stores keep many HTML
    bodies only so); None for real RTF, which no text is read from.

    compressed-rtf raises a bare Exception on a damaged stream, and RTFDE raises
    TypeError, ValueError, AttributeError or lark's errors on damaged RTF: a body
    read only when the item has no other is worth no more than skipping it then.
    """
    if not compressed or len(compressed) > MAX_RTF_BYTES:
        return None
    try:
        import compressed_rtf

        rtf = compressed_rtf.decompress(compressed)
        wrapper = b"\\fromhtml" in rtf[:4000] or b"\\fromtext" in rtf[:4000]
        if len(rtf) > MAX_RTF_BYTES or not wrapper:
            return None  # too long to parse in time, or real RTF
        from RTFDE.deencapsulate import DeEncapsulator

        unpacked = DeEncapsulator(rtf)
        unpacked.deencapsulate()
        is_html = unpacked.content_type == "html"
        content = unpacked.html if is_html else unpacked.text
    except Exception:  # the libraries' own ways of saying "damaged"
        return None
    if isinstance(content, bytes):
        content = decode_bytes(content, None)
    if not isinstance(content, str):
        return None
    return html_to_text(content) if is_html else content


# --- Attachments: the original message, a delivery-status part ------------------------


def _read_attachments(reader: _Reader, item: _Item, src: Source) -> None:
    for name in reader.children(item, ATTACHMENT_PREFIX):
        att = item.child(name, "attachment")
        method = reader.fixed(att, PR_ATTACH_METHOD, PT_LONG)
        mime_tag = (reader.string(att, PR_ATTACH_MIME_TAG) or "").strip().lower()
        file_name = (
            reader.string(att, PR_ATTACH_LONG_FILENAME)
            or reader.string(att, PR_ATTACH_FILENAME)
            or ""
        ).lower()
        embedded = att.child(EMBEDDED_MESSAGE, "embedded")
        if reader.children(embedded, ""):
            src.content_types.append("message/rfc822")
            if src.original is None:
                headers = _item_headers(reader, embedded)
                src.original = headers if headers.headers else None
            continue
        if method not in (None, ATTACH_BY_VALUE):
            continue  # an attached message whose storage is unreadable, an OLE object...
        data = reader.binary(att, PR_ATTACH_DATA)
        if not data:
            continue
        if mime_tag:
            src.content_types.append(mime_tag)
        head = data[:20000].lower()
        if mime_tag in DSN_TYPES or (
            DSN_FILE_HINT.encode() in head and not file_name.endswith((".eml", ".msg"))
        ):
            src.dsn_blocks.append(decode_bytes(data, None).replace("\r\n", "\n"))
        elif src.original is None and (
            mime_tag in RFC822_TYPES or mime_tag in HEADERS_TYPES or file_name.endswith(".eml")
        ):
            text = decode_bytes(data[:200_000], None).replace("\r\n", "\n")
            src.original = _headers_from_text(text)


# --- Reports: the recipient table and the original's properties ----------------------


class _Row:
    """One recipient of a report, as its recipient table row gives it."""

    __slots__ = ("address", "diagnostic", "name", "remote_mta", "status")

    def __init__(self, address: str, name: str | None) -> None:
        self.address = address
        self.name = name
        self.status: str | None = None
        self.remote_mta: str | None = None
        self.diagnostic: str | None = None


def _report_rows(reader: _Reader, item: _Item) -> list[_Row]:
    rows = []
    for name in reader.children(item, RECIPIENT_PREFIX):
        rcpt = item.child(name, "recipient")
        address = (
            _address(reader.string(rcpt, PR_SMTP_ADDRESS))
            or _address(reader.string(rcpt, PR_EMAIL_ADDRESS))
            or _address(reader.string(rcpt, PR_DISPLAY_NAME))
        )
        if not address:
            continue  # an X.500 address alone names no mailbox the decoder can report
        row = _Row(address, _one_line(reader.string(rcpt, PR_DISPLAY_NAME)))
        info = _one_line(reader.string(rcpt, PR_SUPPLEMENTARY_INFO))
        if info and (found := SUPPLEMENTARY_RE.match(info)):
            row.remote_mta = found.group("mta")
            row.status = found.group("status")
            row.diagnostic = found.group("diagnostic") or None
        elif info:
            row.diagnostic = info.strip("<> ")
        row.remote_mta = _one_line(reader.string(rcpt, PR_REMOTE_MTA)) or row.remote_mta
        if row.status is None:
            row.status = _status_of_code(reader.fixed(rcpt, PR_NDR_STATUS_CODE, PT_LONG))
        rows.append(row)
    return rows


def _status_of_code(code: object) -> str | None:
    """PR_NDR_STATUS_CODE back to a status: Exchange stores kind * 100 + subject * 10 +
    detail (MS-OXCMAIL), so 511 is 5.1.1 (a part over 9 was stored as 0)."""
    if not isinstance(code, int) or not 200 <= code <= 599 or code // 100 == 3:
        return None
    return f"{code // 100}.{code // 10 % 10}.{code % 10}"


def _is_thin(text: str, rows: list[_Row]) -> bool:
    """True when the text gives no status code, or leaves out one of the rows' recipients."""
    if not TEXT_STATUS_RE.search(text):
        return True
    low = text.lower()
    return any(row.address.lower() not in low for row in rows)


def _dsn_block(rows: list[_Row], action: str) -> str:
    """The rows as the delivery-status fields Exchange's MIME writer makes of them."""
    groups = []
    for row in rows:
        fields = [f"Final-Recipient: rfc822; {row.address}", f"Action: {action}"]
        if row.status:
            fields.append(f"Status: {row.status}")
        if row.remote_mta:
            fields.append(f"Remote-MTA: dns; {row.remote_mta}")
        if row.diagnostic:
            diagnostic = row.diagnostic
            if ";" not in diagnostic[:12]:
                diagnostic = f"smtp; {diagnostic}"
            fields.append(f"Diagnostic-Code: {diagnostic}")
        if row.name and row.name.lower() != row.address.lower():
            fields.append(f"X-Display-Name: {row.name}")
        groups.append("\n".join(fields))
    return "\n\n".join(groups) + "\n"


def _report_original(reader: _Reader, item: _Item) -> list[tuple[str, str]]:
    """What a report's own properties say of the original message."""
    sender = _mailbox(
        reader.string(item, PR_ORIGINAL_SENDER_NAME),
        _address(reader.string(item, PR_ORIGINAL_SENDER_EMAIL_ADDRESS)),
    )
    fields = [
        ("From", sender),
        ("To", _one_line(reader.string(item, PR_ORIGINAL_DISPLAY_TO))),
        ("Subject", _one_line(reader.string(item, PR_ORIGINAL_SUBJECT))),
        ("Date", _date(reader.fixed(item, PR_ORIGINAL_SUBMIT_TIME, PT_SYSTIME))),
    ]
    return [(name, value) for name, value in fields if value]


# --- Small helpers ---------------------------------------------------------------------

ADDRESS_RE = re.compile(r"[^\s<>\"'(),;:@]{1,128}@[A-Za-z0-9_][A-Za-z0-9_.-]{0,252}")


def _address(value: str | None) -> str | None:
    """The e-mail address in ``value``; None for an X.500 one ("/O=ORG/OU=...")."""
    if not value:
        return None
    found = ADDRESS_RE.search(value[:1000])
    return found.group(0).rstrip(".") if found else None


def _one_line(value: str | None) -> str | None:
    """``value`` with its white space runs made one space; None when empty."""
    if not value:
        return None
    return " ".join(value[:4000].split()) or None


def _mailbox(name: str | None, address: str | None) -> str | None:
    name = _one_line(name)
    if address and name and name.lower() != address.lower():
        return f"{name} <{address}>"
    return address or name


def _date(value: object) -> str | None:
    # Outlook writes 4500-08-31 for "no time"; a time of 0 is 1601.
    if not isinstance(value, datetime) or not 1980 <= value.year <= 2200:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return format_datetime(value)
    except (ValueError, OverflowError):
        return None
