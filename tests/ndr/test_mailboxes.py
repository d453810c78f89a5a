"""Messages out of mailboxes: mbox streaming, Maildir, folders, zip archives and their limits."""

import io
import mailbox
import os
import threading
import zipfile
from email.message import EmailMessage

import pytest

from errorcodes.ndr.mailboxes import (
    MailboxError,
    Message,
    ZipLimits,
    input_bytes,
    is_mbox,
    messages_from_paths,
    messages_in,
    split_mbox,
    split_mbox_bytes,
)

from .conftest import SAMPLES

FROM_LINE = b"From MAILER-DAEMON Thu Feb  6 09:00:00 2025\n"


def message(number: int, body: bytes = b"") -> bytes:
    return f"From: MAILER-DAEMON@example.net\nSubject: bounce {number}\n\n".encode() + (
        body or f"Delivery to user{number}@example.org failed.\n".encode()
    )


def mbox_of(*messages: bytes, newline: bytes = b"\n") -> bytes:
    return b"".join(
        FROM_LINE.replace(b"\n", newline) + m.replace(b"\n", newline) + newline for m in messages
    )


class CountingReader(io.BytesIO):
    """A stream that records how far it has been read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reads = 0

    def read(self, size: int | None = -1) -> bytes:
        self.reads += 1
        return super().read(size)


@pytest.mark.parametrize("chunk_bytes", [1, 2, 5, 6, 7, 64, 1 << 20])
def test_mbox_splits_the_same_at_every_chunk_size(chunk_bytes):
    # A "\nFrom " separator cut anywhere by a chunk boundary is still found.
    messages = [message(n) for n in range(5)]
    data = mbox_of(*messages)
    assert list(split_mbox(io.BytesIO(data), chunk_bytes=chunk_bytes)) == messages
    assert list(split_mbox_bytes(data)) == messages


def test_mbox_from_quoting_is_undone_and_from_lines_in_bodies_do_not_split():
    quoted = message(1, b"Hello\n>From the desk of the postmaster\n>>From nested\nbye\n")
    data = mbox_of(quoted, message(2))
    first, second = split_mbox(io.BytesIO(data), chunk_bytes=8)
    assert b"\nFrom the desk of the postmaster\n>From nested\n" in first
    assert second == message(2)


def test_mbox_with_crlf_line_ends():
    data = mbox_of(message(1), message(2), newline=b"\r\n")
    found = list(split_mbox_bytes(data))
    assert len(found) == 2
    assert found[0] == message(1).replace(b"\n", b"\r\n")


def test_mbox_written_by_the_standard_library_reads_back(tmp_path):
    path = tmp_path / "box.mbox"
    box = mailbox.mbox(path)
    for number in range(3):
        msg = EmailMessage()
        msg["Subject"] = f"bounce {number}"
        msg.set_content(f"From here on, user{number}@example.org is unknown.\n")
        box.add(msg)
    box.close()
    found = list(messages_from_paths([str(path)]))
    assert [m.key for m in found] == [0, 1, 2]
    assert all(m.source == str(path) for m in found)
    assert b"\nFrom here on, user2@example.org" in found[2].data


def test_mbox_streams_without_reading_ahead():
    # Taking the first messages of a large mbox reads a chunk or two, not the file.
    data = mbox_of(*(message(n) for n in range(20_000)))
    reader = CountingReader(data)
    stream = split_mbox(reader, chunk_bytes=4096)
    first = [next(stream) for _ in range(10)]
    assert first[0] == message(0)
    assert reader.tell() <= 2 * 4096


def test_is_mbox_needs_a_from_line_with_a_date():
    assert is_mbox(FROM_LINE + message(1))
    assert is_mbox(b"From - Thu Feb 06 09:00:00 2025\r\n")
    assert not is_mbox(b"From the server: mailbox unavailable\n")
    assert not is_mbox(b"From: someone@example.org\n")


def test_a_single_message_file_is_one_message_with_no_key():
    path = SAMPLES / "gmail.eml"
    (found,) = messages_from_paths([str(path)])
    assert found == Message(str(path), None, path.read_bytes())


def test_folder_is_searched_recursively_for_message_files(tmp_path):
    (tmp_path / "a.eml").write_bytes(message(1))
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "sub" / "b.txt").write_bytes(message(2))
    (tmp_path / "sub" / "deeper" / "c").write_bytes(message(3))  # no extension
    (tmp_path / "sub" / "d.mbox").write_bytes(mbox_of(message(4), message(5)))
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")  # not a message
    (tmp_path / ".DS_Store").write_bytes(b"\0\0")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "e.eml").write_bytes(message(6))
    found = list(messages_from_paths([str(tmp_path)]))
    assert [(m.source.removeprefix(str(tmp_path)), m.key) for m in found] == [
        ("/a.eml", None),
        ("/sub/b.txt", None),
        ("/sub/d.mbox", 0),
        ("/sub/d.mbox", 1),
        ("/sub/deeper/c", None),
    ]
    assert found[3].data == message(5)


def test_maildir_keys_and_subfolders(tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir")
    keys = [box.add(message(n)) for n in range(3)]
    sub = box.add_folder("Bounces")
    sub_key = sub.add(message(9))
    found = list(messages_from_paths([str(tmp_path / "Maildir")]))
    assert [m.key for m in found] == [*sorted(keys), f"Bounces/{sub_key}"]
    assert {m.source for m in found} == {str(tmp_path / "Maildir")}
    assert found[-1].data == message(9)


def test_a_maildirs_cur_folder_named_alone_gives_all_its_files(tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir")
    key = box.add(mailbox.MaildirMessage(message(1)))
    box.get_message(key)  # still in new/
    found = list(messages_from_paths([str(tmp_path / "Maildir" / "new")]))
    assert [m.data for m in found] == [message(1)]
    assert found[0].source.endswith(key)


def test_maildir_inside_a_plain_folder(tmp_path):
    (tmp_path / "mail").mkdir()
    mailbox.Maildir(tmp_path / "mail" / "box").add(message(1))
    (tmp_path / "mail" / "loose.eml").write_bytes(message(2))
    found = list(messages_from_paths([str(tmp_path / "mail")]))
    assert [m.source.removeprefix(str(tmp_path)) for m in found] == ["/mail/box", "/mail/loose.eml"]


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_members_are_messages_keyed_by_name(tmp_path):
    data = zip_of(
        {
            "a.eml": message(1),
            "dir/b.msg": b"\xd0\xcf\x11\xe0 an Outlook file",
            "dir/": b"",
            "__MACOSX/._a.eml": b"resource fork",
            "notes.pdf": b"%PDF",
            "box.mbox": mbox_of(message(2), message(3)),
        }
    )
    path = tmp_path / "bounces.zip"
    path.write_bytes(data)
    found = list(messages_from_paths([str(path)]))
    assert [m.key for m in found] == ["a.eml", "dir/b.msg", "box.mbox#0", "box.mbox#1"]
    assert found[0].data == message(1)
    assert list(messages_in(data, "upload.zip")) == [m._replace(source="upload.zip") for m in found]


def test_messages_in_reads_an_mbox_or_a_single_message():
    assert [m.key for m in messages_in(mbox_of(message(1), message(2)), "up.mbox")] == [0, 1]
    assert list(messages_in(message(1), "up.eml")) == [Message("up.eml", None, message(1))]


def test_zip_bomb_by_ratio_is_refused_before_decompressing():
    bomb = zip_of({"big.eml": b"A" * (8 << 20)})  # 8 MiB of one letter: ~1000x
    with pytest.raises(MailboxError, match="expands"):
        next(messages_in(bomb, "bomb.zip"))


def test_zip_over_the_total_or_member_count_is_refused():
    data = zip_of({f"{n}.eml": message(n) for n in range(20)})
    with pytest.raises(MailboxError, match="holds 20 files"):
        next(messages_in(data, "up.zip", limits=ZipLimits(members=10)))
    with pytest.raises(MailboxError, match="uncompressed"):
        next(messages_in(data, "up.zip", limits=ZipLimits(total_bytes=100)))
    with pytest.raises(MailboxError, match="uncompressed"):
        next(messages_in(data, "up.zip", limits=ZipLimits(member_bytes=10)))


def test_nested_archives_are_refused_by_name_and_by_content():
    inner = zip_of({"a.eml": message(1)})
    with pytest.raises(MailboxError, match="nested"):
        next(messages_in(zip_of({"inner.zip": inner}), "up.zip"))
    disguised = zip_of({"a.eml": message(1), "b.eml": inner})
    found = messages_in(disguised, "up.zip")
    assert next(found).key == "a.eml"
    with pytest.raises(MailboxError, match="archive"):
        next(found)


def test_a_member_that_lies_about_its_size_is_never_read_past_it():
    data = bytearray(zip_of({"a.eml": message(1) * 50}, zipfile.ZIP_STORED))
    # Shrink the declared size in the central directory (the local header is not
    # what zipfile trusts): the member is then cut short, or its CRC fails.
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0]
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    errors = []
    found = list(messages_in(bytes(data), "up.zip", on_error=lambda *e: errors.append(e)))
    assert all(len(m.data) <= 10 for m in found)
    assert info.file_size > 10


def test_unreadable_inputs_go_to_on_error_and_the_rest_is_read(tmp_path):
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    good = tmp_path / "good.eml"
    good.write_bytes(message(1))
    errors: list[tuple[str, str]] = []
    paths = [str(tmp_path / "missing.eml"), str(tmp_path / "broken.zip"), str(good)]
    found = list(messages_from_paths(paths, lambda label, reason: errors.append((label, reason))))
    assert [m.source for m in found] == [str(good)]
    assert [label for label, _ in errors] == paths[:2]
    assert "No such file" in errors[0][1]
    with pytest.raises(MailboxError, match=r"missing\.eml"):
        list(messages_from_paths(paths))


def test_stdin_may_be_an_mbox_or_one_message():
    stdin = io.BytesIO(mbox_of(message(1), message(2)))
    assert [m.key for m in messages_from_paths(["-"], stdin=stdin)] == [0, 1]
    stdin = io.BytesIO(message(1))
    assert list(messages_from_paths(["-"], stdin=stdin)) == [Message("-", None, message(1))]


def test_zip_from_a_pipe_is_read_whole():
    class Pipe(io.BytesIO):
        def seekable(self) -> bool:
            return False

        def fileno(self) -> int:
            raise OSError("a pipe has no size")

    stdin = Pipe(zip_of({"a.eml": message(1)}))
    assert [m.key for m in messages_from_paths(["-"], stdin=stdin)] == ["a.eml"]


def test_large_mbox_file_is_streamed_and_progress_counts_its_bytes(tmp_path):
    path = tmp_path / "big.mbox"
    data = mbox_of(*(message(n, b"x" * 2000 + b"\n") for n in range(1000)))  # > 2 MiB
    path.write_bytes(data)
    seen: list[int] = []
    found = messages_from_paths([str(path)], progress=seen.append)
    assert next(found).key == 0
    assert sum(seen) < len(data)  # read one chunk ahead, not the whole file
    assert sum(1 for _ in found) == 999
    assert sum(seen) == len(data) == input_bytes([str(path)])


def test_an_mbox_through_a_pipe_is_streamed_not_read_whole():
    # A pipe's st_size is 0: it must not pass for a small file read in one go.
    read_end, write_end = os.pipe()
    data = mbox_of(*(message(n, b"y" * 5000 + b"\n") for n in range(1000)))  # ~5 MB

    def write() -> None:
        with open(write_end, "wb") as pipe:
            pipe.write(data)

    writer = threading.Thread(target=write)
    writer.start()
    seen: list[int] = []
    with open(read_end, "rb") as pipe:
        found = messages_from_paths(["-"], stdin=pipe, progress=seen.append)
        assert next(found).key == 0
        assert sum(seen) < len(data) // 2
        assert sum(1 for _ in found) == 999
    writer.join()
