"""Messages out of mailboxes: mbox files, Maildir folders, plain folders, zip archives, stdin.

Two entry points, each yielding ``Message(source, key, data)``:

- ``messages_from_paths(paths)``: what the command line names (files, folders,
  archives, ``-`` for standard input);
- ``messages_in(data, name)``: one upload held in memory (a message, an mbox or a zip).

``source`` is the path (or upload name); ``key`` says where the message sits in
it: the mbox index (0 first), the Maildir key, the zip member name, or None for
a file that is one message. ``data`` is the message's raw bytes, for ``decode()``.

An mbox is read in chunks and split on its "From " lines as it streams, so a
mailbox of any size costs memory for one message at a time (``mailbox.mbox``
would first read the whole file to index it). Zip archives are checked against
``ZipLimits`` before anything is decompressed (zip bombs, nested archives).

No Django imports; ``mailbox`` and ``zipfile`` are imported only when needed.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from .lazyre import lazy

if TYPE_CHECKING:
    import zipfile

# Files a folder is searched for (besides Maildir folders inside it): messages,
# mailboxes and archives. Files named on the command line are read whatever their name.
MESSAGE_SUFFIXES = frozenset({".eml", ".msg", ".txt", ""})
CONTAINER_SUFFIXES = frozenset({".mbox", ".mbx", ".zip"})
# An mbox is read this many bytes at a time; a file up to this size is read whole.
CHUNK_BYTES = 1 << 20
# Enough of a file's start to tell an mbox or a zip from a message.
SNIFF_BYTES = 256
# A zip archive starts with a member's header, or (empty) with its directory's end.
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
# Members that are archives themselves: never opened (a nested zip multiplies a bomb).
ARCHIVE_SUFFIXES = (".zip", ".jar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".zst")
# An mbox starts with a From_ line: "From sender date" ("From MAILER-DAEMON Thu Feb  6
# 09:00:00 2025"); the time in it tells the line from a message or prose that starts "From ".
MBOX_FIRST_LINE_RE = lazy(rb"From [^\r\n]*\d:\d\d")
# mboxrd quoting: a body line "From ..." was stored as ">From ...", ">From ..." as ">>From ...".
QUOTED_FROM_RE = lazy(rb"(?m)^>(>*From )")


class Message(NamedTuple):
    """One message: where it came from, where it sits there, its raw bytes."""

    source: str
    key: str | int | None
    data: bytes


class MailboxError(ValueError):
    """An input that cannot be read, or an archive refused by ``ZipLimits``."""


# Receives (label, reason) for each input that cannot be read; iteration goes on.
OnError = Callable[[str, str], None]
# Receives the number of input bytes read since its last call.
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ZipLimits:
    """What a zip archive may hold; past any of these it is refused (a zip bomb)."""

    # Member files (folders inside the archive do not count).
    members: int = 10_000
    # Uncompressed bytes, all members together, as the archive declares them (and
    # as read: a member is never read past its declared size).
    total_bytes: int = 2 << 30
    # Uncompressed bytes of one member.
    member_bytes: int = 256 << 20
    # Uncompressed / compressed size of a member larger than ``ratio_from`` bytes:
    # mail compresses 2-10 times, a bomb a thousand times.
    ratio: float = 100.0
    ratio_from: int = 1 << 20


# For an upload that a web request holds in memory.
UPLOAD_LIMITS = ZipLimits(members=1_000, total_bytes=64 << 20, member_bytes=16 << 20)


def messages_from_paths(
    paths: Iterable[str],
    on_error: OnError | None = None,
    *,
    stdin: BinaryIO | None = None,
    limits: ZipLimits = ZipLimits(),
    progress: Progress | None = None,
) -> Iterator[Message]:
    """Yield every message of files, folders, mboxes, Maildirs, zips and ``-`` (stdin).

    An input that cannot be read is passed to ``on_error(label, reason)`` and
    skipped; without ``on_error`` it raises ``MailboxError``. ``progress(n)`` is
    told of every n bytes of input read (see ``input_bytes`` for the total).
    """
    reader = _Reader(on_error or _raise, limits, progress or _ignore)
    for path in paths:
        if path == "-":
            yield from reader.stdin(stdin)
            continue
        try:
            yield from reader.path(path)
        except (OSError, MailboxError) as exc:
            reader.report(path, _reason(exc))


def messages_in(
    data: bytes,
    name: str,
    limits: ZipLimits = UPLOAD_LIMITS,
    on_error: OnError | None = None,
) -> Iterator[Message]:
    """Yield the messages of one upload: a zip of messages, an mbox, or one message.

    Raises ``MailboxError`` for a zip over ``limits`` (before yielding anything
    when its directory tells, as it does for a bomb) or holding an archive; a
    member that cannot be read goes to ``on_error`` when given, else raises too.
    """
    yield from _Reader(on_error or _raise, limits, _ignore).blob(data, name)


def is_mbox(head: bytes) -> bool:
    """Return True when ``head`` (a file's first bytes) starts like an mbox."""
    return head.startswith(b"From ") and MBOX_FIRST_LINE_RE.match(head) is not None


def split_mbox(
    handle: BinaryIO,
    head: bytes = b"",
    chunk_bytes: int = CHUNK_BYTES,
    progress: Progress | None = None,
) -> Iterator[bytes]:
    """Yield the messages of an mbox read from ``handle``, a chunk at a time.

    ``head`` is what was already read from the handle (to sniff it). Each
    message comes without its From_ line and the blank line that ends it, with
    ">From " quoting undone (mboxrd). Memory holds one chunk and one message.
    """
    buf = bytearray(head)
    start = 0  # where the current message's From_ line begins in buf
    scan = 1  # where to look for the next separator: past the current From_ line's start
    while True:
        while (at := buf.find(b"\nFrom ", scan)) != -1:
            yield _mbox_message(buf, start, at + 1)
            start = at + 1
            scan = start + 1
        chunk = handle.read(chunk_bytes)
        if not chunk:
            break
        if progress:
            progress(len(chunk))
        if start:
            # Drop what was handed out: the buffer holds the current message only.
            del buf[:start]
            scan -= start
            start = 0
        # A separator may straddle the chunk boundary: look again from 5 bytes back.
        scan = max(scan, len(buf) - 5)
        buf += chunk
    if len(buf) > start:
        yield _mbox_message(buf, start, len(buf))


def split_mbox_bytes(data: bytes) -> Iterator[bytes]:
    """Yield the messages of an mbox held in memory (see ``split_mbox``)."""
    start = 0
    while (at := data.find(b"\nFrom ", start + 1)) != -1:
        yield _mbox_message(data, start, at + 1)
        start = at + 1
    if len(data) > start:
        yield _mbox_message(data, start, len(data))


def input_bytes(paths: Iterable[str]) -> int | None:
    """Return how many bytes the named inputs hold (a progress bar's total); None for stdin."""
    total = 0
    for path in paths:
        if path == "-":
            return None
        if os.path.isdir(path):
            for top, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".") or _is_maildir(top)]
                total += sum(_size(os.path.join(top, name)) for name in files)
        else:
            total += _size(path)
    return total


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _mbox_message(buf: bytes | bytearray, start: int, end: int) -> bytes:
    """Return buf[start:end] less its From_ line and final blank line, unquoted."""
    line_end = buf.find(b"\n", start, end)
    body_start = end if line_end == -1 else line_end + 1
    # The blank line before the next From_ line belongs to the mbox, not the message.
    if end > body_start and buf[end - 1] == 0x0A:
        end -= 2 if end - 1 > body_start and buf[end - 2] == 0x0D else 1
    message = bytes(buf[body_start:end])
    if b">From " in message:
        message = QUOTED_FROM_RE.sub(rb"\1", message)
    return message


def _raise(label: str, reason: str) -> None:
    raise MailboxError(f"{label}: {reason}")


def _ignore(_count: int) -> None:
    pass


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


class _Reader:
    """Walks inputs with one error handler, one set of zip limits and one progress counter."""

    def __init__(self, report: OnError, limits: ZipLimits, progress: Progress) -> None:
        self.report = report
        self.limits = limits
        self.progress = progress

    def stdin(self, handle: BinaryIO | None) -> Iterator[Message]:
        if handle is None:
            handle = getattr(sys.stdin, "buffer", None)
        if handle is None:  # a text stream put in place of sys.stdin
            import io

            handle = io.BytesIO(sys.stdin.read().encode())
        try:
            yield from self.stream(handle, "-")
        except (OSError, MailboxError) as exc:
            self.report("-", _reason(exc))

    def path(self, path: str) -> Iterator[Message]:
        """Yield the messages of a file or folder."""
        try:
            # One system call for the common case, a file; a folder fails to open.
            handle = open(path, "rb")  # noqa: SIM115 - closed below
        except IsADirectoryError:
            yield from self.folder(path)
            return
        except PermissionError:
            if not os.path.isdir(path):  # Windows refuses to open a folder this way
                raise
            yield from self.folder(path)
            return
        with handle:
            yield from self.stream(handle, path)

    def blob(self, data: bytes, label: str) -> Iterator[Message]:
        """Yield the messages of bytes in memory: a zip, an mbox or one message."""
        if data.startswith(ZIP_MAGICS):
            import io

            yield from self.zip(io.BytesIO(data), label)
        elif is_mbox(data[:SNIFF_BYTES]):
            for index, message in enumerate(split_mbox_bytes(data)):
                yield Message(label, index, message)
        else:
            yield Message(label, None, data)

    def stream(self, handle: BinaryIO, label: str) -> Iterator[Message]:
        """Yield the messages of a file or stream: a zip, an mbox or one message."""
        try:
            info = os.fstat(handle.fileno())
            # A pipe's size says nothing of what is still to come through it.
            size = info.st_size if stat.S_ISREG(info.st_mode) else None
        except (OSError, AttributeError, ValueError):  # io.BytesIO, a wrapped stream
            size = None
        if size is not None and size <= CHUNK_BYTES:
            # A message file, mostly: read whole, in one call.
            data = handle.read()
            self.progress(len(data))
            yield from self.blob(data, label)
            return
        head = handle.read(SNIFF_BYTES)
        if head.startswith(ZIP_MAGICS):
            if handle.seekable():
                handle.seek(0)
                yield from self.zip(handle, label)
            else:  # a pipe: zipfile needs to seek, so the archive is read whole
                import io

                data = head + handle.read(self.limits.total_bytes)
                yield from self.zip(io.BytesIO(data), label)
        elif is_mbox(head):
            self.progress(len(head))
            for index, message in enumerate(split_mbox(handle, head, progress=self.progress)):
                yield Message(label, index, message)
        else:
            data = head + handle.read()
            self.progress(len(data))
            yield Message(label, None, data)

    def folder(self, path: str) -> Iterator[Message]:
        """Yield the messages of a Maildir, or of every message file under a plain folder."""
        if _is_maildir(path):
            yield from self.maildir(path, path)
            return
        try:
            entries = sorted(os.scandir(path), key=lambda entry: entry.name)
        except OSError as exc:
            self.report(path, _reason(exc))
            return
        # A Maildir's cur/ or new/ named by itself: its files are messages whatever
        # their names ("1733.M5P6.host:2,S" has no message suffix).
        every_file = os.path.basename(os.path.normpath(path)) in ("cur", "new") and _is_maildir(
            os.path.dirname(os.path.normpath(path))
        )
        for entry in entries:
            if entry.name.startswith("."):  # .DS_Store, editors' files
                continue
            child = os.path.join(path, entry.name)
            try:
                # Symbolic links to folders are not followed: a link loop would never end.
                if entry.is_dir(follow_symlinks=False):
                    yield from self.folder(child)
                elif entry.is_file() and (every_file or _wanted(entry.name)):
                    with open(child, "rb") as handle:
                        yield from self.stream(handle, child)
            except (OSError, MailboxError) as exc:
                self.report(child, _reason(exc))

    def maildir(self, path: str, label: str, prefix: str = "") -> Iterator[Message]:
        """Yield a Maildir's messages (sorted keys: delivery time first), then its subfolders'."""
        import mailbox

        box = mailbox.Maildir(path, factory=None, create=False)
        for key in sorted(box.iterkeys()):
            try:
                data = box.get_bytes(key)
            except (OSError, KeyError) as exc:  # KeyError: moved or deleted meanwhile
                self.report(f"{label} ({prefix}{key})", _reason(exc))
                continue
            self.progress(len(data))
            yield Message(label, prefix + key, data)
        for folder in sorted(box.list_folders()):  # Maildir++: ".Sent", ".Bounces", ...
            yield from self.maildir(os.path.join(path, "." + folder), label, f"{prefix}{folder}/")

    def zip(self, handle: BinaryIO, label: str) -> Iterator[Message]:
        """Yield the messages of a zip archive after checking it against the limits."""
        import zipfile
        import zlib

        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
            raise MailboxError(f"not a readable zip archive ({exc})") from None
        with archive:
            members = [info for info in archive.infolist() if not _zip_member_skipped(info)]
            _check_zip(members, self.limits)
            # Messages and mailboxes only: a PDF or an image beside them is no bounce.
            members = [info for info in members if _wanted(info.filename.rsplit("/", 1)[-1])]
            read = 0
            for info in members:
                try:
                    with archive.open(info) as member:
                        # Never past the declared size, whatever the compressed stream holds.
                        data = member.read(info.file_size + 1)
                except (
                    zipfile.BadZipFile,
                    RuntimeError,
                    NotImplementedError,
                    OSError,
                    EOFError,
                    zlib.error,
                ) as exc:
                    # RuntimeError: encrypted; NotImplementedError: an unknown compression.
                    self.report(f"{label} ({info.filename})", _reason(exc))
                    continue
                read += len(data)
                if len(data) > info.file_size or read > self.limits.total_bytes:
                    raise MailboxError(f"zip member {info.filename} is larger than declared")
                if data.startswith(ZIP_MAGICS):
                    raise MailboxError(f"zip member {info.filename} is an archive: refused")
                self.progress(info.compress_size)
                if is_mbox(data[:SNIFF_BYTES]):
                    for index, message in enumerate(split_mbox_bytes(data)):
                        yield Message(label, f"{info.filename}#{index}", message)
                else:
                    yield Message(label, info.filename, data)


def _wanted(name: str) -> bool:
    suffix = os.path.splitext(name)[1].lower()
    return suffix in MESSAGE_SUFFIXES or suffix in CONTAINER_SUFFIXES


def _is_maildir(path: str) -> bool:
    return os.path.isdir(os.path.join(path, "cur")) and os.path.isdir(os.path.join(path, "new"))


def _zip_member_skipped(info: zipfile.ZipInfo) -> bool:
    base = info.filename.rsplit("/", 1)[-1]
    # Folders, macOS resource forks and hidden files hold no message.
    return info.is_dir() or info.filename.startswith("__MACOSX/") or base.startswith(".")


def _check_zip(members: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    """Refuse an archive whose directory declares more than ``limits`` allow."""
    if len(members) > limits.members:
        raise MailboxError(f"zip archive holds {len(members)} files, over {limits.members}")
    total = 0
    for info in members:
        name = info.filename
        if name.lower().endswith(ARCHIVE_SUFFIXES):
            raise MailboxError(f"zip member {name} is an archive: nested archives are refused")
        if info.file_size > limits.member_bytes:
            raise MailboxError(
                f"zip member {name} is {info.file_size} bytes uncompressed,"
                f" over {limits.member_bytes}"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_from and ratio > limits.ratio:
            raise MailboxError(
                f"zip member {name} expands {ratio:.0f} times: refused as a zip bomb"
            )
        total += info.file_size
    if total > limits.total_bytes:
        raise MailboxError(f"zip archive is {total} bytes uncompressed, over {limits.total_bytes}")
